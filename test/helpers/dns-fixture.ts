/**
 * The fixture zone of the DNS tests (test/fixtures/dns/zone.json) and ways
 * to write RRsets as comparable zone-file text.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { SectionEntry } from '../../src/zone/lookup.js';
import { typeName } from '../../src/zone/records.js';
import { parseRecordLine } from '../../src/zone/zonefile.js';
import { ZoneSet, type ZoneConfig } from '../../src/zone/zones.js';

/** The apex of the fixture zone. */
export const APEX = 'example.test';

/** The fixture zone's configuration. */
export function fixtureConfig(): ZoneConfig {
  const file = fileURLToPath(new URL('../fixtures/dns/zone.json', import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as ZoneConfig;
}

/** A ZoneSet holding the fixture zone at a fixed serial. */
export function fixtureZones(): ZoneSet {
  const { zones, problems } = ZoneSet.build([fixtureConfig()], { [APEX]: { serial: 2024010101 } });
  if (problems.length > 0) throw new Error(`fixture zone: ${problems.join('; ')}`);
  return zones;
}

/** One record as `owner ttl TYPE rdata`, owner absolute without the dot. */
export function recordLine(owner: string, ttl: number, type: number, rdata: string): string {
  return `${owner} ${ttl} ${typeName(type)} ${rdata}`;
}

/** Every record of some section entries as sorted record lines. */
export function entryLines(entries: readonly SectionEntry[]): string[] {
  return entries.flatMap((e) => e.rrset.rdata.map((r) => recordLine(e.owner, e.rrset.ttl, e.rrset.type, r))).sort();
}

/** Zone-file lines relative to the fixture apex, read into sorted record lines. */
export function zoneLines(lines: readonly string[]): string[] {
  return lines
    .map((line) => parseRecordLine(line, APEX, 0))
    .map((r) => recordLine(r.name, r.ttl, r.type, r.rdata.text))
    .sort();
}
