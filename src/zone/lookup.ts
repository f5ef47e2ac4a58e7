/**
 * The authoritative answer to one question, decided from the live zones and
 * nothing else: which kind of answer it is and which RRsets go in each
 * section. Turning that into bytes is the DNS layer's job. Names are in
 * canonical form (see names.ts).
 */
import { parentName } from './names.js';
import { RRType } from './records.js';
import { makeRRset, type RRset, type Zone } from './zone.js';
import type { ZoneSet } from './zones.js';

/** QTYPE ANY (RFC 1035 §3.2.3). */
export const QTYPE_ANY = 255;

/** QTYPE DS (RFC 4034 §5): answered by the parent side of a zone cut. */
export const QTYPE_DS = 43;

/** How many CNAMEs one answer follows before it stops (RFC 1034 §4.3.2 step 3a). */
export const MAX_CNAME_CHAIN = 16;

/** What the answer is; the wire layer derives RCODE and AA from it. */
export type LookupKind = 'answer' | 'nodata' | 'nxdomain' | 'referral' | 'refused';

/** One RRset placed in a section under an owner name. */
export interface SectionEntry {
  readonly owner: string;
  readonly rrset: RRset;
  /** True when the RRset was synthesised from a wildcard (RFC 4592 §3.3.1). */
  readonly wildcard: boolean;
}

/** The decision for one question. */
export interface LookupResult {
  kind: LookupKind;
  /** The zone that answered; undefined when refused. */
  zone: Zone | undefined;
  answer: SectionEntry[];
  authority: SectionEntry[];
  additional: SectionEntry[];
}

/** Tuning for a lookup. */
export interface LookupOptions {
  /** CNAME hops to follow at most; defaults to MAX_CNAME_CHAIN. */
  maxChain?: number;
}

/** Where a name led inside one zone. */
type Match =
  | { kind: 'node'; node: ReadonlyMap<number, RRset>; wildcard: boolean }
  | { kind: 'empty' }
  | { kind: 'nxdomain' }
  | { kind: 'cut'; owner: string; ns: RRset };

/**
 * Answers `qtype` at `qname` from the zones as they are at this moment.
 *
 * 1. No zone holds the name: REFUSED, nothing else.
 * 2. A zone cut (NS below the apex) at or above the name: referral with the
 *    NS RRset in authority and in-zone glue in additional (§4.3.2 step 3b).
 * 3. The name holds records: the RRset of the type; for ANY one RRset only
 *    (RFC 8482 §4.1), chosen as NSD does; else a CNAME, added and followed inside
 *    the zone (step 3a), stopping at a loop, at MAX_CNAME_CHAIN, or when the
 *    target leaves the zone; else NODATA.
 * 4. The name exists only because names below it do (an empty
 *    non-terminal): NODATA.
 * 5. Otherwise the wildcard `*.<closest encloser>` answers in its place,
 *    with the name asked as owner (RFC 4592 §3.3.1); an empty wildcard
 *    gives NODATA; no wildcard gives NXDOMAIN.
 * 6. Negative answers carry the SOA with TTL min(SOA TTL, minimum) in
 *    authority (RFC 2308 §3, §5); after CNAMEs the RCODE is the one of the
 *    last name (RFC 6604 §3).
 * 7. An NS answer brings the A/AAAA of in-zone name servers as additional.
 */
export function lookup(zones: ZoneSet, qname: string, qtype: number, opts: LookupOptions = {}): LookupResult {
  const zone = zones.find(qname);
  const result: LookupResult = { kind: 'refused', zone, answer: [], authority: [], additional: [] };
  if (!zone) return result;

  const maxChain = opts.maxChain ?? MAX_CNAME_CHAIN;
  let name = qname;
  for (let hops = 0; ; hops++) {
    const match = matchName(zone, name, qtype);
    if (match.kind === 'cut') return referral(zone, result, match.owner, match.ns);
    if (match.kind === 'nxdomain') return negative(zone, result, 'nxdomain');
    if (match.kind === 'empty') return negative(zone, result, 'nodata');

    const { node, wildcard } = match;
    const rrset = qtype === QTYPE_ANY ? anyRRset(node) : node.get(qtype);
    if (rrset) return positive(zone, result, name, rrset, wildcard);

    const cname = node.get(RRType.CNAME);
    if (!cname) return negative(zone, result, 'nodata');

    result.kind = 'answer';
    result.answer.push({ owner: name, rrset: cname, wildcard });
    const target = rdataName(cname.rdata[0] ?? '.');
    if (hops + 1 >= maxChain || !zone.contains(target) || inAnswer(result, target)) return result;

    name = target;
  }
}

/** Finds what `name` leads to in the zone: a node, a cut, an empty name or nothing. */
function matchName(zone: Zone, name: string, qtype: number): Match {
  const cut = findCut(zone, name, qtype);
  if (cut) return cut;

  const node = zone.node(name);
  if (node) return { kind: 'node', node, wildcard: false };
  if (zone.exists(name)) return { kind: 'empty' };

  const source = '*.' + closestEncloser(zone, name);
  const wild = zone.node(source);
  if (wild) return { kind: 'node', node: wild, wildcard: true };
  return zone.exists(source) ? { kind: 'empty' } : { kind: 'nxdomain' };
}

/** The highest NS RRset strictly below the apex at or above `name`, if any. */
function findCut(zone: Zone, name: string, qtype: number): Match | undefined {
  if (!zone.hasCuts) return undefined;

  let cut: Match | undefined;
  for (let n = name; n !== zone.apex && n !== ''; n = parentName(n)) {
    const ns = zone.get(n, RRType.NS);
    // A DS query at the cut itself belongs to this (parent) side.
    if (ns && !(n === name && qtype === QTYPE_DS)) cut = { kind: 'cut', owner: n, ns };
  }
  return cut;
}

/** The longest existing ancestor of a name that does not exist (RFC 4592 §3.3.1). */
function closestEncloser(zone: Zone, name: string): string {
  let up = parentName(name);
  while (up !== zone.apex && !zone.exists(up)) up = parentName(up);
  return up;
}

function positive(zone: Zone, result: LookupResult, owner: string, rrset: RRset, wildcard: boolean): LookupResult {
  result.kind = 'answer';
  result.answer.push({ owner, rrset, wildcard });
  if (rrset.type === RRType.NS) addGlue(zone, result, rrset);
  return result;
}

function negative(zone: Zone, result: LookupResult, kind: 'nxdomain' | 'nodata'): LookupResult {
  result.kind = kind;
  const soa = negativeSoa(zone);
  if (soa) result.authority.push({ owner: zone.apex, rrset: soa, wildcard: false });
  return result;
}

function referral(zone: Zone, result: LookupResult, owner: string, ns: RRset): LookupResult {
  result.kind = 'referral';
  result.authority.push({ owner, rrset: ns, wildcard: false });
  addGlue(zone, result, ns);
  return result;
}

/** Types a minimal ANY answer prefers, the same set NSD 4.6 prefers. */
const ANY_PREFERRED = new Set<number>([RRType.A, RRType.AAAA, RRType.SOA, RRType.MX, RRType.PTR]);

/**
 * The one RRset an ANY query gets (RFC 8482 §4.1 leaves the choice to the
 * server). As NSD 4.6 does: the first preferred type in zone order, else
 * the last RRset of the name.
 */
function anyRRset(node: ReadonlyMap<number, RRset>): RRset | undefined {
  let other: RRset | undefined;
  for (const rrset of node.values()) {
    if (ANY_PREFERRED.has(rrset.type)) return rrset;

    other = rrset;
  }
  return other;
}

/** A name in RDATA presentation form ("host.example.") in canonical form. */
function rdataName(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

function inAnswer(result: LookupResult, owner: string): boolean {
  return result.answer.some((entry) => entry.owner === owner);
}

/** The A and AAAA RRsets of a name server travel with its NS RRset. */
const GLUE_TYPES = [RRType.A, RRType.AAAA];

/**
 * Adds the A and AAAA RRsets of every in-zone name server named by `ns` to
 * additional, expanding wildcards as NSD does. Out-of-zone targets get none.
 */
function addGlue(zone: Zone, result: LookupResult, ns: RRset): void {
  for (const text of ns.rdata) {
    const target = rdataName(text);
    const found = zone.contains(target) ? nodeOrWildcard(zone, target) : undefined;
    if (!found) continue;

    for (const type of GLUE_TYPES) {
      const rrset = found.node.get(type);
      if (rrset) result.additional.push({ owner: target, rrset, wildcard: found.wildcard });
    }
  }
}

/** The node of a name, or of the wildcard that stands in for it. */
function nodeOrWildcard(zone: Zone, name: string): { node: ReadonlyMap<number, RRset>; wildcard: boolean } | undefined {
  const node = zone.node(name);
  if (node) return { node, wildcard: false };
  if (zone.exists(name)) return undefined;

  const wild = zone.node('*.' + closestEncloser(zone, name));
  return wild ? { node: wild, wildcard: true } : undefined;
}

/** The apex SOA with its negative-caching TTL, built once per SOA RRset. */
const negativeSoas = new WeakMap<RRset, RRset>();

function negativeSoa(zone: Zone): RRset | undefined {
  const soa = zone.get(zone.apex, RRType.SOA);
  if (!soa) return undefined;

  const ttl = zone.negativeTtl;
  if (soa.ttl === ttl) return soa;

  let cached = negativeSoas.get(soa);
  if (!cached) {
    const records = soa.wire.map((wire, i) => ({ text: soa.rdata[i] as string, wire: wire.subarray(10) }));
    cached = makeRRset(RRType.SOA, ttl, records);
    negativeSoas.set(soa, cached);
  }
  return cached;
}
