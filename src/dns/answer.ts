/**
 * Writing a response (RFC 1035 §4.1): the header, the question copied byte
 * for byte from the query (so a 0x20-randomised case comes back as sent),
 * then each record as a compressed owner name followed by the RRset's
 * pre-encoded tail. Only names and counts are written per query; the rest
 * is copying.
 */
import type { LookupResult, SectionEntry } from '../zone/lookup.js';
import { HEADER_SIZE, TYPE_OPT, type Query } from './wire.js';

/** RCODEs we send (RFC 1035 §4.1.1, RFC 6891 §9). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

/** The UDP payload size we announce and never exceed (the DNS flag day 2020 value). */
export const EDNS_UDP_SIZE = 1232;

/** Largest message without EDNS, and the floor of any UDP limit (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_SIZE = 512;

/** Largest message over TCP (RFC 1035 §4.2.2). */
export const TCP_MAX_SIZE = 65535;

/** Size of our OPT record: root owner, TYPE, CLASS, TTL, RDLENGTH 0. */
const OPT_SIZE = 11;

/** The transport a query came in on. */
export type Transport = 'udp' | 'tcp';

/**
 * One response is assembled here and then copied out at its exact size.
 * It has room for a full TCP message plus one oversized record, so a
 * record can be written first and its size checked afterwards.
 */
const out = Buffer.alloc(2 * TCP_MAX_SIZE + 1024);

/**
 * Suffixes of names written so far in this answer, with their offsets, for
 * compression. Made only when an answer has a name outside the question's
 * suffixes (glue, say). A fresh map per answer stays in the young
 * generation; one long-lived map cleared per answer pushed every name into
 * the old generation and grew the heap between full collections.
 */
let written: Map<string, number> | undefined;

/** The largest response allowed for this query (RFC 6891 §6.2.5). */
export function sizeLimit(query: Query, transport: Transport): number {
  if (transport === 'tcp') return TCP_MAX_SIZE;
  if (!query.edns) return CLASSIC_UDP_SIZE;
  return Math.max(CLASSIC_UDP_SIZE, Math.min(query.edns.udpSize, EDNS_UDP_SIZE));
}

/** The RCODE a lookup result carries (RFC 6604 §3 for the last name of a chain). */
export function rcodeOf(result: LookupResult): number {
  if (result.kind === 'refused') return Rcode.REFUSED;
  return result.kind === 'nxdomain' ? Rcode.NXDOMAIN : Rcode.NOERROR;
}

/** Builds the response to a query from its lookup result. */
export function writeAnswer(msg: Buffer, query: Query, result: LookupResult, transport: Transport): Buffer {
  const limit = sizeLimit(query, transport) - (query.edns ? OPT_SIZE : 0);
  const aa = result.kind !== 'refused' && (result.kind !== 'referral' || result.answer.length > 0);
  let pos = writeHead(msg, query, rcodeOf(result), aa);
  written = undefined;

  const answerEnd = writeSection(query.qname, result.answer, pos, limit, 6);
  const authorityEnd = answerEnd < 0 ? -1 : writeSection(query.qname, result.authority, answerEnd, limit, 8);
  if (authorityEnd < 0) return finish(query, truncate(query), rcodeOf(result));

  pos = writeAdditional(query.qname, result.additional, authorityEnd, limit);
  return finish(query, pos, rcodeOf(result));
}

/** Builds a response with no records: an error, or SERVFAIL after a fault. */
export function writeError(msg: Buffer, query: Query, rcode: number): Buffer {
  return finish(query, writeHead(msg, query, rcode, false), rcode);
}

/**
 * Builds a header-only FORMERR (or other) response to a message whose
 * question could not be read: ID, opcode and RD kept, no sections.
 */
export function writeBare(id: number, flags: number, rcode: number): Buffer {
  const bare = Buffer.alloc(HEADER_SIZE);
  bare.writeUInt16BE(id, 0);
  bare.writeUInt16BE(0x8000 | (flags & 0x7900) | (rcode & 0xf), 2);
  return bare;
}

/** Header and the copied question; returns the offset after the question. */
function writeHead(msg: Buffer, query: Query, rcode: number, aa: boolean): number {
  out.writeUInt16BE(query.id, 0);
  // QR, the opcode and RD as asked; AA as decided; TC, RA, Z, AD and CD clear.
  out.writeUInt16BE(0x8000 | (query.flags & 0x7900) | (aa ? 0x0400 : 0) | (rcode & 0xf), 2);
  out.writeUInt32BE(0x00010000, 4);
  out.writeUInt32BE(0, 8);
  msg.copy(out, HEADER_SIZE, HEADER_SIZE, query.questionEnd);
  return query.questionEnd;
}

/** Writes a whole section; returns the new offset, or -1 when it does not fit. */
function writeSection(qname: string, entries: readonly SectionEntry[], start: number, limit: number, countAt: number): number {
  let pos = start;
  let count = 0;
  for (const entry of entries) {
    pos = writeRRset(qname, entry, pos);
    if (pos > limit) return -1;

    count += entry.rrset.wire.length;
  }
  out.writeUInt16BE(count, countAt);
  return pos;
}

/**
 * Writes additional RRsets while they fit. One that does not fit is left
 * out with those after it, and TC stays clear (RFC 2181 §9).
 */
function writeAdditional(qname: string, entries: readonly SectionEntry[], start: number, limit: number): number {
  let pos = start;
  let count = 0;
  for (const entry of entries) {
    const next = writeRRset(qname, entry, pos);
    if (next > limit) break;

    pos = next;
    count += entry.rrset.wire.length;
  }
  out.writeUInt16BE(count, 10);
  return pos;
}

function writeRRset(qname: string, entry: SectionEntry, start: number): number {
  let pos = start;
  for (const tail of entry.rrset.wire) {
    pos = writeName(qname, entry.owner, pos);
    pos += tail.copy(out, pos);
  }
  return pos;
}

/** Drops every record and sets TC, keeping the question (RFC 2181 §9, RFC 6891 §7). */
function truncate(query: Query): number {
  out[2] = (out[2] as number) | 0x02;
  out.writeUInt32BE(0x00010000, 4);
  out.writeUInt32BE(0, 8);
  return query.questionEnd;
}

/** Appends our OPT record when the query had one, then copies the message out. */
function finish(query: Query, end: number, rcode: number): Buffer {
  let pos = end;
  if (query.edns) {
    out[pos] = 0;
    out.writeUInt16BE(TYPE_OPT, pos + 1);
    out.writeUInt16BE(EDNS_UDP_SIZE, pos + 3);
    // TTL: extended RCODE, version 0, DO copied from the query, Z clear.
    out.writeUInt32BE((((rcode >> 4) << 24) | (query.edns.dnssecOk ? 0x8000 : 0)) >>> 0, pos + 5);
    out.writeUInt16BE(0, pos + 9);
    out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
    pos += OPT_SIZE;
  }
  return Buffer.from(out.subarray(0, pos));
}

/**
 * Writes an owner name, compressed (RFC 1035 §4.1.4). The name asked and
 * its suffixes point into the question; other names point to the longest
 * suffix written before, and their own suffixes are remembered.
 */
function writeName(qname: string, name: string, start: number): number {
  let pos = start;
  for (let i = 0; ; ) {
    const target = suffixOffset(qname, name, i);
    if (target >= 0) {
      out.writeUInt16BE(0xc000 | target, pos);
      return pos + 2;
    }
    if (i >= name.length) {
      out[pos] = 0;
      return pos + 1;
    }
    if (pos < 0x4000) (written ??= new Map()).set(i === 0 ? name : name.slice(i), pos);

    const dot = name.indexOf('.', i);
    const end = dot < 0 ? name.length : dot;
    out[pos] = end - i;
    pos += 1 + out.write(name.slice(i, end), pos + 1, 'latin1');
    i = end + 1;
  }
}

/** Where the suffix of `name` starting at index `i` was written, or -1. */
function suffixOffset(qname: string, name: string, i: number): number {
  const length = name.length - i;
  if (length <= 0) return -1;

  const at = qname.length - length;
  if (at >= 0 && (at === 0 || qname.charCodeAt(at - 1) === 0x2e) && qname.endsWith(i === 0 ? name : name.slice(i))) {
    return HEADER_SIZE + at;
  }
  return written === undefined ? -1 : (written.get(i === 0 ? name : name.slice(i)) ?? -1);
}
