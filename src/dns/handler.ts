/**
 * One message in, at most one message out: read, check the header rules,
 * look up, write. The transports call this and only send what it returns.
 * Nothing thrown inside escapes: a fault becomes SERVFAIL and one error log
 * line.
 */
import type { Logger } from '../log.js';
import { lookup } from '../zone/lookup.js';
import { CLASS_IN } from '../zone/zone.js';
import type { ZoneSet } from '../zone/zones.js';
import { Rcode, writeAnswer, writeBare, writeError, type Transport } from './answer.js';
import { HEADER_SIZE, readQuery, type Query } from './wire.js';

/** Opcode QUERY (RFC 1035 §4.1.1). */
const OPCODE_QUERY = 0;

/** Zone transfer QTYPEs (RFC 1995, RFC 5936); transfers are not served yet. */
const TRANSFER_TYPES = new Set([251, 252]);

/** Counts of what a server received, for tests and status output. */
export interface DnsStats {
  answered: number;
  dropped: number;
  formerr: number;
  servfail: number;
}

/** A fresh set of counters. */
export function createStats(): DnsStats {
  return { answered: 0, dropped: 0, formerr: 0, servfail: 0 };
}

/** What a transport needs to answer messages. */
export interface HandlerContext {
  zones: ZoneSet;
  logger: Logger;
  stats: DnsStats;
}

/** Answers one message; undefined means send nothing. Never throws. */
export function handleMessage(ctx: HandlerContext, msg: Buffer, transport: Transport): Buffer | undefined {
  try {
    return respond(ctx, msg, transport);
  } catch (err) {
    ctx.stats.servfail++;
    ctx.logger.error({ err }, 'dns: failed to answer a query, sent SERVFAIL');
    return servfail(msg);
  }
}

function respond(ctx: HandlerContext, msg: Buffer, transport: Transport): Buffer | undefined {
  const read = readQuery(msg);
  if (read.kind === 'drop') {
    ctx.stats.dropped++;
    ctx.logger.debug({ reason: read.reason }, 'dns: message dropped');
    return undefined;
  }
  if (read.kind === 'formerr') {
    ctx.stats.formerr++;
    ctx.logger.debug({ reason: read.reason }, 'dns: malformed query, sent FORMERR');
    return writeBare(read.id, read.flags, Rcode.FORMERR);
  }

  ctx.stats.answered++;
  const rcode = headerRcode(read.query);
  if (rcode !== Rcode.NOERROR) return writeError(msg, read.query, rcode);

  const { qname, qtype } = read.query;
  return writeAnswer(msg, read.query, lookup(ctx.zones, qname, qtype), transport);
}

/** The error a well-formed query gets before any lookup, or NOERROR. */
function headerRcode(query: Query): number {
  if (query.opcode !== OPCODE_QUERY) return Rcode.NOTIMP;
  if (query.edns && query.edns.version > 0) return Rcode.BADVERS;
  if (query.qclass !== CLASS_IN || TRANSFER_TYPES.has(query.qtype)) return Rcode.REFUSED;
  return Rcode.NOERROR;
}

/** A header-only SERVFAIL, when the message looks like a query at all. */
function servfail(msg: Buffer): Buffer | undefined {
  if (msg.length < HEADER_SIZE || ((msg[2] as number) & 0x80) !== 0) return undefined;
  return writeBare(msg.readUInt16BE(0), msg.readUInt16BE(2), Rcode.SERVFAIL);
}
