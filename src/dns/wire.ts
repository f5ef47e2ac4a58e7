/**
 * Reading a DNS query message (RFC 1035 §4.1): the header, the one
 * question, and the OPT record of EDNS(0) (RFC 6891 §6.1). It never throws;
 * every input ends as a tagged result that says drop, FORMERR, or a query.
 */

/** Header length (RFC 1035 §4.1.1). */
export const HEADER_SIZE = 12;

/** TYPE code of the EDNS(0) OPT pseudo-record (RFC 6891 §6.1.1). */
export const TYPE_OPT = 41;

/** Longest name on the wire, length octets and root included (RFC 1035 §3.1). */
const MAX_NAME = 255;

/** Hops allowed through compression pointers in one name. */
const MAX_POINTERS = 32;

/** A query whose header, question and EDNS record were read cleanly. */
export interface Query {
  id: number;
  /** Header bits 1–15 as sent: opcode, flags and RCODE (QR is known to be clear). */
  flags: number;
  opcode: number;
  rd: boolean;
  /** QNAME in canonical form: lower case, no trailing dot. */
  qname: string;
  qtype: number;
  qclass: number;
  /** Offset just past QCLASS: the question is bytes 12 up to here. */
  questionEnd: number;
  /** EDNS(0) data, or undefined when the query had no OPT record. */
  edns: Edns | undefined;
}

/** What the OPT record of a query said (RFC 6891 §6.1.3). */
export interface Edns {
  version: number;
  dnssecOk: boolean;
  udpSize: number;
}

/** The outcome of reading a message. */
export type ReadResult =
  | { kind: 'drop'; reason: string }
  | { kind: 'formerr'; id: number; flags: number; reason: string }
  | { kind: 'query'; query: Query };

/** Reused for every QNAME: its bytes, lower-cased, dots between labels. */
const nameScratch = Buffer.alloc(MAX_NAME);

/** Reads a query message; never throws. */
export function readQuery(msg: Buffer): ReadResult {
  if (msg.length < HEADER_SIZE) return { kind: 'drop', reason: 'shorter than a header' };

  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return { kind: 'drop', reason: 'QR set' };

  const formerr = (reason: string): ReadResult => ({ kind: 'formerr', id, flags, reason });
  if (msg.readUInt16BE(4) !== 1) return formerr('QDCOUNT is not 1');

  // NSD's rule: a query carries nothing in answer or authority, and TC is never set.
  if (msg.readUInt16BE(6) !== 0 || msg.readUInt16BE(8) !== 0) return formerr('records in answer or authority');
  if (flags & 0x0200) return formerr('TC set in a query');

  const qnameLength = readQname(msg, HEADER_SIZE);
  if (qnameLength < 0) return formerr('bad QNAME');

  const qnameEnd = HEADER_SIZE + qnameLength;
  if (qnameEnd + 4 > msg.length) return formerr('question cut short');

  const edns = readAdditional(msg, qnameEnd + 4, msg.readUInt16BE(10));
  if (typeof edns === 'string') return formerr(edns);

  const query: Query = {
    id,
    flags,
    opcode: (flags >> 11) & 0xf,
    rd: (flags & 0x0100) !== 0,
    qname: nameScratch.toString('latin1', 0, Math.max(0, qnameLength - 2)),
    qtype: msg.readUInt16BE(qnameEnd),
    qclass: msg.readUInt16BE(qnameEnd + 2),
    questionEnd: qnameEnd + 4,
    edns,
  };
  return { kind: 'query', query };
}

/**
 * Reads an uncompressed QNAME at `start` into nameScratch as canonical text
 * and returns its wire length, or -1 when it is malformed. Compression in a
 * question is refused outright (as NSD does), so no pointer can loop here.
 * A `.` byte inside a label becomes NUL, so such a name matches nothing.
 */
function readQname(msg: Buffer, start: number): number {
  let pos = start;
  let out = 0;
  for (;;) {
    if (pos >= msg.length) return -1;

    const len = msg[pos] as number;
    if (len === 0) return pos + 1 - start;
    if (len > 63 || pos + 1 + len - start >= MAX_NAME || pos + 1 + len > msg.length) return -1;

    if (out > 0) nameScratch[out - 1] = 0x2e;
    for (let i = pos + 1; i <= pos + len; i++) nameScratch[out++] = canonicalByte(msg[i] as number);
    out++;
    pos += len + 1;
  }
}

/** ASCII-only lower case (RFC 4343 §3); `.` becomes NUL. */
function canonicalByte(b: number): number {
  if (b >= 0x41 && b <= 0x5a) return b | 0x20;
  return b === 0x2e ? 0 : b;
}

/**
 * Walks the additional section for the OPT record. Returns its data,
 * undefined when there is none, or a FORMERR reason. Other records are
 * stepped over and ignored.
 */
function readAdditional(msg: Buffer, start: number, count: number): Edns | undefined | string {
  let pos = start;
  let edns: Edns | undefined;
  for (let i = 0; i < count; i++) {
    const nameEnd = skipName(msg, pos);
    if (nameEnd < 0 || nameEnd + 10 > msg.length) return 'bad record in additional';

    const rdEnd = nameEnd + 10 + msg.readUInt16BE(nameEnd + 8);
    if (rdEnd > msg.length) return 'RDATA runs past the message';

    if (msg.readUInt16BE(nameEnd) === TYPE_OPT) {
      if (edns) return 'two OPT records';
      if (nameEnd !== pos + 1) return 'OPT owner is not the root';
      if (!optionsWellFormed(msg, nameEnd + 10, rdEnd)) return 'bad EDNS option';

      edns = readOpt(msg, nameEnd);
    }
    pos = rdEnd;
  }
  return edns;
}

/** The OPT fields: CLASS is the UDP size, TTL holds version and DO. */
function readOpt(msg: Buffer, at: number): Edns {
  return {
    udpSize: msg.readUInt16BE(at + 2),
    version: msg[at + 5] as number,
    dnssecOk: ((msg[at + 6] as number) & 0x80) !== 0,
  };
}

/** True when the option list is a clean run of code, length, data. */
function optionsWellFormed(msg: Buffer, start: number, end: number): boolean {
  let pos = start;
  while (pos < end) {
    if (pos + 4 > end) return false;

    pos += 4 + msg.readUInt16BE(pos + 2);
  }
  return pos === end;
}

/**
 * Steps over a possibly compressed name; returns the offset after it or -1.
 * Pointers must point backwards, and a bounded number of them is followed.
 */
export function skipName(msg: Buffer, start: number): number {
  let pos = start;
  let end = -1;
  let total = 0;
  for (let hops = 0; hops <= MAX_POINTERS; ) {
    if (pos >= msg.length) return -1;

    const len = msg[pos] as number;
    if (len === 0) return end < 0 ? pos + 1 : end;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) return -1;
      const target = ((len & 0x3f) << 8) | (msg[pos + 1] as number);
      if (target >= pos) return -1;

      if (end < 0) end = pos + 2;
      pos = target;
      hops++;
      continue;
    }
    if (len > 63) return -1;
    total += len + 1;
    if (total >= MAX_NAME) return -1;

    pos += len + 1;
  }
  return -1;
}
