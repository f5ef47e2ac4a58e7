/**
 * Turning intents into the RRset changes of one request. Every name and
 * family is checked here, before anything is applied: a prefix update
 * needs the records it rewrites, and a name holding a CNAME cannot get
 * addresses. Nothing in this file changes a zone.
 */
import ipaddr from 'ipaddr.js';

import { RRType } from '../zone/records.js';
import type { RRsetChange, ZoneSet } from '../zone/zones.js';
import { addressText, isUnspecified, type Address } from './address-items.js';
import type { Intent, Targets } from './addresses.js';
import type { Family } from './names.js';
import { quote } from './quote.js';

/** The changes of one request, or the 400 line that refuses it. */
export type Plan = { ok: true; changes: RRsetChange[]; emptied: string[] } | { ok: false; message: string };

const TYPE: Readonly<Record<Family, number>> = { 4: RRType.A, 6: RRType.AAAA };

/** Builds the changes for every target, or refuses the whole request. */
export function planChanges(targets: Targets, zones: ZoneSet, ttl: number): Plan {
  const changes: RRsetChange[] = [];
  const emptied: string[] = [];
  for (const [name, intents] of targets) {
    const zone = zones.find(name);
    const current = (family: Family) => zone?.get(name, TYPE[family])?.rdata ?? [];
    const after = new Map<Family, readonly string[]>();

    for (const [family, intent] of intents) {
      const result = target(intent, current(family), name, family);
      if (!result.ok) return result;
      if (result.rdata === undefined) continue;

      after.set(family, result.rdata);
      changes.push({ name, type: TYPE[family], ttl, rdata: [...result.rdata] });
    }
    const gets = (family: Family) => (after.get(family) ?? current(family)).length > 0;
    if ((gets(4) || gets(6)) && zone?.hasCname(name)) {
      return { ok: false, message: `cannot add addresses to ${quote(name)}: it holds a CNAME record` };
    }
    if (!gets(4) && !gets(6) && (current(4).length > 0 || current(6).length > 0)) emptied.push(name);
  }
  return { ok: true, changes, emptied };
}

/** The records one intent leaves, or undefined when it writes nothing. */
function target(
  intent: Intent,
  current: readonly string[],
  name: string,
  family: Family,
): { ok: true; rdata: readonly string[] | undefined } | { ok: false; message: string } {
  switch (intent.kind) {
    case 'replace':
      return { ok: true, rdata: intent.addresses };
    case 'delete':
      return { ok: true, rdata: [] };
    case 'preserve':
      return { ok: true, rdata: undefined };
    case 'prefix':
      return rewritePrefix(intent, current, name, family);
  }
}

/**
 * Prefix update: each existing record keeps its host bits and takes the
 * network bits of the given prefix. No record, nothing written.
 */
function rewritePrefix(
  intent: Extract<Intent, { kind: 'prefix' }>,
  current: readonly string[],
  name: string,
  family: Family,
): { ok: true; rdata: readonly string[] | undefined } | { ok: false; message: string } {
  if (current.length === 0) return { ok: true, rdata: undefined };

  const network = intent.address.toByteArray();
  const rewritten = current.map((text) => withNetwork(ipaddr.parse(text), network, intent.length));
  const prefix = `prefix ${quote(`${addressText(intent.address)}/${intent.length}`)} in ${intent.source}`;
  if (rewritten.some(isUnspecified)) return { ok: false, message: `${prefix} makes ${name} all zeros` };
  const texts = rewritten.map(addressText);
  if (new Set(texts).size < texts.length) {
    return { ok: false, message: `${prefix} makes two IPv${family} addresses of ${name} equal` };
  }
  return { ok: true, rdata: texts };
}

/** The address with its first `length` bits taken from `network`. */
function withNetwork(address: Address, network: number[], length: number): Address {
  const bytes = address.toByteArray().map((byte, i) => {
    const bits = Math.max(0, Math.min(8, length - i * 8));
    const mask = (0xff << (8 - bits)) & 0xff;
    return ((network[i] ?? 0) & mask) | (byte & ~mask & 0xff);
  });
  return ipaddr.fromByteArray(bytes);
}
