/**
 * One authoritative zone held in memory: its nodes, RRsets and SOA serial.
 * RRsets are immutable and carry their wire form, so answering a query
 * copies bytes and never encodes. A change replaces a whole RRset object.
 */
import { isAtOrBelow, parentName } from './names.js';
import { RRType } from './records.js';

/** DNS class IN (RFC 1035 §3.2.4). */
export const CLASS_IN = 1;

/** One RRset with its records in presentation and in wire form. */
export interface RRset {
  readonly type: number;
  readonly ttl: number;
  /** Canonical presentation RDATA, one string per record. */
  readonly rdata: readonly string[];
  /**
   * One buffer per record: TYPE, CLASS, TTL, RDLENGTH and RDATA, everything
   * after the owner name. The answer writer puts the owner in front.
   */
  readonly wire: readonly Buffer[];
  /** True when the store keeps it (an update or import wrote it); false for configured records. */
  readonly stored: boolean;
}

/** The SOA fields that come from the configuration (RFC 1035 §3.3.13). */
export interface SoaFields {
  mname: string;
  rname: string;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
  ttl: number;
}

/** Builds an immutable RRset from RDATA already parsed to wire form. */
export function makeRRset(type: number, ttl: number, records: { text: string; wire: Buffer }[], stored = false): RRset {
  const wire = records.map((r) => {
    const tail = Buffer.allocUnsafe(10 + r.wire.length);
    tail.writeUInt16BE(type, 0);
    tail.writeUInt16BE(CLASS_IN, 2);
    tail.writeUInt32BE(ttl >>> 0, 4);
    tail.writeUInt16BE(r.wire.length, 8);
    r.wire.copy(tail, 10);
    return tail;
  });
  return Object.freeze({ type, ttl, rdata: Object.freeze(records.map((r) => r.text)), wire: Object.freeze(wire), stored });
}

/** A zone: apex name, SOA, and the RRsets at every owner name. */
export class Zone {
  /** The apex in canonical form. */
  readonly apex: string;
  /** SOA fields other than the serial. */
  readonly soa: SoaFields;
  #serial: number;
  readonly #nodes = new Map<string, Map<number, RRset>>();
  /** For every name that has nodes strictly below it: how many. */
  readonly #below = new Map<string, number>();
  /** How many names below the apex hold NS records. */
  #cuts = 0;

  constructor(apex: string, soa: SoaFields, serial: number) {
    this.apex = apex;
    this.soa = soa;
    this.#serial = serial >>> 0;
  }

  /** The current SOA serial. */
  get serial(): number {
    return this.#serial;
  }

  /** Sets the serial; the caller rebuilds the SOA RRset. */
  setSerial(serial: number): void {
    this.#serial = serial >>> 0;
  }

  /** The TTL of negative answers: min(SOA TTL, SOA minimum), RFC 2308 §5. */
  get negativeTtl(): number {
    return Math.min(this.soa.ttl, this.soa.minimum);
  }

  /** The RRsets at a name, or undefined when no record lives there. */
  node(name: string): ReadonlyMap<number, RRset> | undefined {
    return this.#nodes.get(name);
  }

  /** One RRset, or undefined. */
  get(name: string, type: number): RRset | undefined {
    return this.#nodes.get(name)?.get(type);
  }

  /**
   * True when the name exists: it holds records, or it is an empty
   * non-terminal with records somewhere below it (RFC 4592 §2.2.2).
   */
  exists(name: string): boolean {
    return this.#nodes.has(name) || this.#below.has(name);
  }

  /** True when the name lies in this zone. */
  contains(name: string): boolean {
    return isAtOrBelow(name, this.apex);
  }

  /**
   * True when some name below the apex holds NS records (a zone cut). Most
   * zones have none, and then a lookup need not look for one.
   */
  get hasCuts(): boolean {
    return this.#cuts > 0;
  }

  /** Replaces the RRset of that type at that name (or adds it). */
  set(name: string, rrset: RRset): void {
    let node = this.#nodes.get(name);
    if (!node) {
      node = new Map();
      this.#nodes.set(name, node);
      this.#countAncestors(name, 1);
    }
    if (rrset.type === RRType.NS && name !== this.apex && !node.has(RRType.NS)) this.#cuts++;
    node.set(rrset.type, rrset);
  }

  /** Removes one RRset; the node goes when its last RRset does. */
  delete(name: string, type: number): void {
    const node = this.#nodes.get(name);
    if (!node?.delete(type)) return;
    if (type === RRType.NS && name !== this.apex) this.#cuts--;
    if (node.size > 0) return;

    this.#nodes.delete(name);
    this.#countAncestors(name, -1);
  }

  /** Every owner name with its RRsets, apex first then in insertion order. */
  *entries(): IterableIterator<[string, ReadonlyMap<number, RRset>]> {
    const apex = this.#nodes.get(this.apex);
    if (apex) yield [this.apex, apex];
    for (const entry of this.#nodes) if (entry[0] !== this.apex) yield entry;
  }

  /** Number of owner names holding records. */
  get size(): number {
    return this.#nodes.size;
  }

  /** True when the name's node holds a CNAME. */
  hasCname(name: string): boolean {
    return this.#nodes.get(name)?.has(RRType.CNAME) ?? false;
  }

  #countAncestors(name: string, delta: 1 | -1): void {
    for (let up = parentName(name); name !== this.apex && isAtOrBelow(up, this.apex); up = parentName(up)) {
      const count = (this.#below.get(up) ?? 0) + delta;
      if (count > 0) this.#below.set(up, count);
      else this.#below.delete(up);
      if (up === this.apex) break;
    }
  }
}
