/**
 * All served zones and the one way to change them: `apply()` takes a list
 * of RRset replacements, checks them all, then applies them together,
 * raises each touched zone's serial once, and returns the store operations
 * plus an undo for when the durable write fails.
 */
import { RecordSyntaxError } from '../errors.js';
import type { Json, Op } from '../store/types.js';
import { isAtOrBelow, parentName } from './names.js';
import { parseRdata, RRType, typeCode, typeName } from './records.js';
import { makeRRset, Zone, type RRset, type SoaFields } from './zone.js';
import { parseRecordLine } from './zonefile.js';

/** A zone as the configuration describes it. */
export interface ZoneConfig {
  name: string;
  soa: SoaFields;
  ns: string[];
  records: string[];
}

/** Replace the RRset of `type` at `name`; empty `rdata` deletes it. */
export interface RRsetChange {
  name: string;
  type: number;
  ttl: number;
  rdata: string[];
}

/** What `apply()` did. */
export interface Applied {
  /** Store operations describing the change; empty when nothing changed. */
  ops: Op[];
  /** Restores the zones as they were before this change. */
  undo: () => void;
}

/** The persisted part of one zone. */
interface ZoneDoc {
  serial?: number;
  rrsets?: Record<string, Record<string, { ttl: number; rdata: string[] }>>;
}


/** A new serial for a zone seen for the first time: the Unix time. */
function initialSerial(): number {
  return Math.floor(Date.now() / 1000) >>> 0;
}

/** The served zones, found by longest matching apex. */
export class ZoneSet {
  readonly #zones = new Map<string, Zone>();

  /**
   * Builds zones from configuration plus the persisted `zones` document.
   * Returns every problem found in the configured record lines.
   */
  static build(configs: readonly ZoneConfig[], doc: Record<string, ZoneDoc> = {}): { zones: ZoneSet; problems: string[] } {
    const zones = new ZoneSet();
    const problems: string[] = [];
    for (const config of configs) {
      const stored: unknown = doc[config.name];
      const zoneDoc: ZoneDoc = isObject(stored) ? stored : {};
      if (stored !== undefined && !isObject(stored)) problems.push(`stored data of zone ${config.name}: not an object`);
      const serial = zoneDoc.serial;
      const serialOk = serial === undefined || (Number.isInteger(serial) && serial >= 0 && serial <= 0xffffffff);
      if (!serialOk) problems.push(`stored serial of zone ${config.name}: ${JSON.stringify(serial)} is not a 32-bit serial`);
      const zone = new Zone(config.name, config.soa, serialOk && serial !== undefined ? serial : initialSerial());
      zones.#zones.set(zone.apex, zone);
      // The SOA goes in first, so it leads the apex in answers and exports.
      rebuildSoa(zone);
      problems.push(...loadStatic(zone, config));
      loadPersisted(zone, zoneDoc, problems);
    }
    return { zones, problems };
  }

  /** The zone that holds `name` (canonical form), or undefined. */
  find(name: string): Zone | undefined {
    for (let n = name; ; n = parentName(n)) {
      const zone = this.#zones.get(n);
      if (zone) return zone;
      if (n === '') return undefined;
    }
  }

  /** The zone with exactly this apex. */
  get(apex: string): Zone | undefined {
    return this.#zones.get(apex);
  }

  /** Every zone. */
  list(): Zone[] {
    return [...this.#zones.values()];
  }

  /**
   * Applies the changes as one atomic step. Throws RecordSyntaxError, with
   * nothing changed, when any name is outside our zones or any RDATA is bad.
   */
  apply(changes: readonly RRsetChange[]): Applied {
    const planned = changes.map((change) => plan(this, change));
    checkCnames(planned);
    const effective = planned.filter((p) => !sameRRset(p.zone.get(p.name, p.type), p.rrset));
    const undo: (() => void)[] = [];
    const ops: Op[] = [];
    const touched = new Set<Zone>();

    for (const { zone, name, type, rrset } of effective) {
      const before = zone.get(name, type);
      undo.push(() => (before ? zone.set(name, before) : zone.delete(name, type)));
      if (rrset) zone.set(name, rrset);
      else zone.delete(name, type);
      ops.push(rrsetOp(zone.apex, name, type, rrset));
      touched.add(zone);
    }
    for (const zone of touched) {
      const serial = zone.serial;
      undo.push(() => {
        zone.setSerial(serial);
        rebuildSoa(zone);
      });
      zone.setSerial((serial + 1) >>> 0);
      rebuildSoa(zone);
      ops.push({ p: ['zones', zone.apex, 'serial'], v: zone.serial });
    }
    return { ops, undo: () => undo.reverse().forEach((fn) => fn()) };
  }

  /**
   * Owner names at or below `name` whose address records come from the
   * configuration. Updates must not reach them: the configuration would
   * bring the old records back at the next start.
   */
  configuredAddressOwners(name: string): string[] {
    const zone = this.find(name);
    const owners: string[] = [];
    for (const [owner, node] of zone?.entries() ?? []) {
      if (!isAtOrBelow(owner, name)) continue;
      const fixed = [RRType.A, RRType.AAAA].some((type) => {
        const rrset = node.get(type);
        return rrset !== undefined && !rrset.stored;
      });
      if (fixed) owners.push(owner);
    }
    return owners;
  }

  /** True when the RRset was written by an update or import, not configured. */
  isStored(name: string, type: number): boolean {
    const rrset = this.find(name)?.get(name, type);
    return rrset !== undefined && rrset.stored;
  }

  /** The persisted document of every zone, for a snapshot. */
  toDoc(): Json {
    const out: Record<string, Json> = {};
    for (const zone of this.#zones.values()) {
      const rrsets: Record<string, Record<string, Json>> = {};
      for (const [name, node] of zone.entries()) {
        for (const rrset of node.values()) {
          if (!rrset.stored) continue;
          (rrsets[name] ??= {})[typeName(rrset.type)] = { ttl: rrset.ttl, rdata: [...rrset.rdata] };
        }
      }
      out[zone.apex] = { serial: zone.serial, rrsets };
    }
    return out;
  }
}

/** Most bytes of records one RRset may hold: it must fit a TCP answer. */
const MAX_RRSET_BYTES = 60_000;

/** Checks what every RRset must satisfy, wherever it comes from. */
function checkRRset(type: number, ttl: number, records: { wire: Buffer }[]): void {
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 0x7fffffff) throw new RecordSyntaxError(`TTL ${ttl} is not a whole number from 0 to 2147483647`);
  if (type === RRType.CNAME && records.length > 1) throw new RecordSyntaxError('a name has at most one CNAME');
  const bytes = records.reduce((sum, r) => sum + r.wire.length + 12, 0);
  if (bytes > MAX_RRSET_BYTES) throw new RecordSyntaxError(`the ${typeName(type)} records at one name take ${bytes} bytes; at most ${MAX_RRSET_BYTES} fit in an answer`);
}

/** Builds a persisted RRset from presentation RDATA. */
function buildRRset(type: number, ttl: number, rdata: readonly string[], origin: string): RRset {
  if (!Array.isArray(rdata) || rdata.some((r) => typeof r !== 'string')) throw new RecordSyntaxError('record data must be a list of strings');
  const unique = new Map(rdata.map((text) => parseRdata(type, text, origin)).map((r) => [r.text, r]));
  checkRRset(type, ttl, [...unique.values()]);
  return makeRRset(type, ttl, [...unique.values()], true);
}

function plan(zones: ZoneSet, change: RRsetChange): { zone: Zone; name: string; type: number; rrset?: RRset } {
  const zone = zones.find(change.name);
  if (!zone) throw new RecordSyntaxError(`${change.name} is not in any served zone`);
  if (change.type === RRType.SOA) throw new RecordSyntaxError('the SOA record comes from the configuration');

  const rrset = change.rdata.length > 0 ? buildRRset(change.type, change.ttl, change.rdata, zone.apex) : undefined;
  return { zone, name: change.name, type: change.type, ...(rrset ? { rrset } : {}) };
}

/**
 * Refuses a change that would leave a CNAME beside other data at one name
 * (RFC 1034 §3.6.2, RFC 2181 §10.1): resolvers would answer inconsistently.
 */
function checkCnames(planned: { zone: Zone; name: string; type: number; rrset?: RRset }[]): void {
  const after = new Map<string, { zone: Zone; name: string; types: Set<number> }>();
  for (const { zone, name, type, rrset } of planned) {
    const key = `${zone.apex} ${name}`;
    const entry = after.get(key) ?? { zone, name, types: new Set(zone.node(name)?.keys() ?? []) };
    if (rrset) entry.types.add(type);
    else entry.types.delete(type);
    after.set(key, entry);
  }
  for (const { name, types } of after.values()) {
    if (types.has(RRType.CNAME) && types.size > 1) {
      throw new RecordSyntaxError(`${name} would hold a CNAME and other records; a CNAME must stand alone (RFC 1034 §3.6.2)`);
    }
  }
}

function sameRRset(a: RRset | undefined, b: RRset | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.ttl !== b.ttl || a.rdata.length !== b.rdata.length) return false;
  const left = new Set(a.rdata);
  return b.rdata.every((r) => left.has(r));
}

function rrsetOp(apex: string, name: string, type: number, rrset: RRset | undefined): Op {
  const p = ['zones', apex, 'rrsets', name, typeName(type)];
  return rrset ? { p, v: { ttl: rrset.ttl, rdata: [...rrset.rdata] } } : { p };
}

/** Puts the configured SOA, NS and record lines into a zone. */
function loadStatic(zone: Zone, config: ZoneConfig): string[] {
  const problems: string[] = [];
  const { soa } = config;
  const ns = config.ns.map((name) => parseRdata(RRType.NS, name.endsWith('.') ? name : name + '.', zone.apex));
  zone.set(zone.apex, makeRRset(RRType.NS, soa.ttl, ns));

  const byKey = new Map<string, { name: string; type: number; ttl: number; records: { text: string; wire: Buffer }[] }>();
  config.records.forEach((line, i) => {
    try {
      const r = parseRecordLine(line, zone.apex, soa.ttl);
      if (!zone.contains(r.name)) throw new RecordSyntaxError(`${r.name} is outside the zone`);
      const key = `${r.name} ${r.type}`;
      const entry = byKey.get(key) ?? { name: r.name, type: r.type, ttl: r.ttl, records: [] };
      entry.records.push(r.rdata);
      byKey.set(key, entry);
    } catch (err) {
      problems.push(`zones[${config.name}].records[${i}] (line ${i + 1}): ${(err as Error).message}`);
    }
  });
  for (const { name, type, ttl, records } of byKey.values()) {
    try {
      checkRRset(type, ttl, records);
      zone.set(name, makeRRset(type, ttl, records));
    } catch (err) {
      problems.push(`zones[${config.name}]: ${name} ${typeName(type)}: ${(err as Error).message}`);
    }
  }
  for (const [name, node] of zone.entries()) {
    if (node.has(RRType.CNAME) && node.size > 1) problems.push(`zones[${config.name}]: ${name} has a CNAME and other records; a CNAME must stand alone`);
  }
  return problems;
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadPersisted(zone: Zone, doc: ZoneDoc, problems: string[]): void {
  if (!isObject(doc.rrsets ?? {})) return void problems.push(`stored records of zone ${zone.apex}: not an object`);
  for (const [name, types] of Object.entries(doc.rrsets ?? {})) {
    if (!isObject(types) || !zone.contains(name)) {
      problems.push(`stored records at ${name} in zone ${zone.apex}: not an object of record sets inside the zone`);
      continue;
    }
    for (const [mnemonic, entry] of Object.entries(types)) {
      const type = typeCode(mnemonic);
      try {
        if (type === undefined) throw new RecordSyntaxError(`unknown type ${mnemonic}`);
        if (!isObject(entry)) throw new RecordSyntaxError('not an object with ttl and rdata');
        zone.set(name, buildRRset(type, entry.ttl as number, entry.rdata as string[], zone.apex));
      } catch (err) {
        problems.push(`stored record ${name} ${mnemonic} in zone ${zone.apex}: ${(err as Error).message}`);
      }
    }
  }
}

/** Re-encodes the apex SOA after a serial change. */
function rebuildSoa(zone: Zone): void {
  const { mname, rname, refresh, retry, expire, minimum, ttl } = zone.soa;
  const text = `${mname}. ${rname}. ${zone.serial} ${refresh} ${retry} ${expire} ${minimum}`;
  zone.set(zone.apex, makeRRset(RRType.SOA, ttl, [parseRdata(RRType.SOA, text, zone.apex)]));
}
