/**
 * Which addresses a request gives each family (update-api.md §4). The
 * parameters are tried in order, the first that yields something for the
 * family wins; when none does, the client address is used if it is of that
 * family, else the family's records are deleted. Per-name overrides read
 * the same way, but yielding nothing there means `preserve`.
 */
import { addressText, classify, familyOf, type Address, type Item } from './address-items.js';
import type { Family, RequestNames } from './names.js';
import type { Query } from './query.js';
import { quote } from './quote.js';

/** What a request does to one family of one name. */
export type Intent =
  | { kind: 'replace'; addresses: string[] }
  | { kind: 'delete' }
  | { kind: 'preserve' }
  | { kind: 'prefix'; address: Address; length: number; source: string };

/** The reading of one value: an intent, nothing, or a 400 line. */
export type Reading = { ok: true; intent: Intent | undefined } | { ok: false; message: string };

/** An intent that is always there, or a 400 line. */
export type Resolved = { ok: true; intent: Intent } | { ok: false; message: string };

/** What the items of one value held, for the family being read. */
interface Found {
  empty: boolean;
  preserve: boolean;
  /** By canonical text, so one address written twice is one record. */
  addresses: Map<string, Address>;
  prefixes: Extract<Intent, { kind: 'prefix' }>[];
}

/** The intent for each family of each name, in request order. */
export type Targets = Map<string, Map<Family, Intent>>;

/** The parameters read for each family, in order. */
export const PARAMETERS: Readonly<Record<Family, readonly string[]>> = {
  4: ['myip', 'myipv4', 'ip'],
  6: ['myipv6', 'ipv6', 'myip', 'ip'],
};

/** The intent for one family of the main names. */
export function readFamily(query: Query, family: Family, client: Address): Resolved {
  for (const param of PARAMETERS[family]) {
    const value = query.get(param);
    if (value === undefined) continue;

    const reading = readValue(value, family, param);
    if (!reading.ok) return reading;
    if (reading.intent) return { ok: true, intent: reading.intent };
  }
  if (familyOf(client) !== family) return { ok: true, intent: { kind: 'delete' } };

  return { ok: true, intent: { kind: 'replace', addresses: [addressText(client)] } };
}

/**
 * The intents of a whole request: both families for each main name, then
 * the overrides in query order, a later key winning for its name and family.
 */
export function readTargets(
  query: Query,
  client: Address,
  names: RequestNames,
): Targets | { ok: false; message: string } {
  const v4 = readFamily(query, 4, client);
  if (!v4.ok) return v4;
  const v6 = readFamily(query, 6, client);
  if (!v6.ok) return v6;

  const both = (): Map<Family, Intent> => new Map([[4, v4.intent], [6, v6.intent]]);
  const targets: Targets = new Map(names.main.map((name) => [name, both()]));
  for (const override of names.overrides) {
    const reading = readOverride(override.value, override.family, override.key);
    if (!reading.ok) return reading;

    for (const name of override.names) {
      const intents = targets.get(name) ?? new Map<Family, Intent>();
      targets.set(name, intents.set(override.family, reading.intent));
    }
  }
  return targets;
}

/** The intent of a `myipv4:`/`myipv6:` override; yielding nothing preserves. */
export function readOverride(value: string, family: Family, key: string): Resolved {
  const reading = readValue(value, family, key);
  if (!reading.ok) return reading;

  return { ok: true, intent: reading.intent ?? { kind: 'preserve' } };
}

/** Reads one parameter value for one family. */
export function readValue(value: string, family: Family, param: string): Reading {
  const found: Found = { empty: false, preserve: false, addresses: new Map(), prefixes: [] };
  for (const text of new Set(value.split(',').map((item) => item.trim()))) {
    const item = classify(text);
    if (item.kind === 'invalid') {
      const what = item.what ?? `IPv${family} address`;
      return fail(`invalid ${what} ${quote(text)} in ${param}${item.problem ? `: ${item.problem}` : ''}`);
    }

    collect(found, item, family, param);
  }
  return combine(found, param, value);
}

/** Notes one valid item; words and items of the other family are not for this family. */
function collect(found: Found, item: Exclude<Item, { kind: 'invalid' }>, family: Family, param: string) {
  if (item.kind === 'empty') found.empty = true;
  else if (item.kind === 'preserve') found.preserve = true;
  else if (item.kind === 'word' || item.family !== family) return;
  else if (item.kind === 'address') found.addresses.set(addressText(item.address), item.address);
  else found.prefixes.push({ kind: 'prefix', address: item.address, length: item.length, source: param });
}

/** Turns what was found into one intent; mixing kinds is a 400. */
function combine(found: Found, param: string, value: string): Reading {
  const { empty, preserve, addresses, prefixes } = found;
  const kinds = [empty, preserve, addresses.size > 0, prefixes.length > 0].filter(Boolean).length;
  if (prefixes.length > 1) return fail(`more than one prefix in ${param} ${quote(value)}`);
  if (kinds > 1) return fail(`cannot mix ${mixed(found)} in ${param} ${quote(value)}`);

  if (empty) return { ok: true, intent: { kind: 'delete' } };
  if (preserve) return { ok: true, intent: { kind: 'preserve' } };
  if (prefixes[0]) return { ok: true, intent: prefixes[0] };
  if (addresses.size === 0) return { ok: true, intent: undefined };
  return { ok: true, intent: { kind: 'replace', addresses: [...addresses.keys()] } };
}

/** Names what was mixed, for the 400 line. */
function mixed(found: Found): string {
  const parts = [
    found.empty ? 'an empty item' : '',
    found.preserve ? '"preserve"' : '',
    found.prefixes.length > 0 ? 'a prefix' : '',
    found.addresses.size > 0 ? 'addresses' : '',
  ];
  return parts.filter((p) => p !== '').join(' and ');
}

function fail(message: string): Reading {
  return { ok: false, message };
}
