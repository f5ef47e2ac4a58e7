/**
 * Zone-file text (RFC 1035 §5): reading single record lines from the
 * configuration, reading whole files for `zone import`, and writing a zone
 * out for `zone export`.
 */
import { RecordSyntaxError } from '../errors.js';
import { isValidOwner, relativeName } from './names.js';
import { absoluteName, parseRdata, RRType, typeCode, typeName, type Rdata } from './records.js';
import type { Zone } from './zone.js';

/** One record read from text. */
export interface ParsedRecord {
  name: string;
  type: number;
  ttl: number;
  rdata: Rdata;
}

/** A record with the line it came from, or the problem found on that line. */
export type LineResult = { line: number; record: ParsedRecord } | { line: number; error: string };

const TTL = /^\d+$/;

/** Drops a `;` comment, minding quoted strings. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === ';' && !quoted) return line.slice(0, i);
  }
  return line;
}

/**
 * Reads one record line: `owner [ttl] [IN] TYPE rdata` (TTL and class in
 * either order). `owner` may be `@`, relative to `origin`, or absolute;
 * `previousOwner` stands in when the line starts with white space.
 */
export function parseRecordLine(line: string, origin: string, defaultTtl: number, previousOwner?: string): ParsedRecord {
  const text = stripComment(line);
  const blankOwner = /^\s/.test(text);
  const fields = text.trim().split(/\s+/);
  if (fields[0] === '') throw new RecordSyntaxError('empty record line');

  let name: string;
  if (blankOwner) {
    if (previousOwner === undefined) throw new RecordSyntaxError('line starts with white space but no owner came before');
    name = previousOwner;
  } else {
    const owner = fields.shift() as string;
    name = absoluteName(owner, origin);
    if (!isValidOwner(name)) throw new RecordSyntaxError(`invalid owner name "${owner}"`);
  }

  let ttl = defaultTtl;
  for (let i = 0; i < 2 && fields.length > 0; i++) {
    const head = fields[0] as string;
    if (TTL.test(head)) ttl = Number(fields.shift());
    else if (head.toUpperCase() === 'IN') fields.shift();
  }
  if (ttl > 0x7fffffff) throw new RecordSyntaxError(`TTL ${ttl} is above 2147483647`);

  const mnemonic = fields.shift();
  if (mnemonic === undefined) throw new RecordSyntaxError('missing record type');
  const type = typeCode(mnemonic);
  if (type === undefined) throw new RecordSyntaxError(`unsupported record type "${mnemonic}"`);

  const rest = text.trim().split(/\s+/).length - fields.length;
  const rdataText = text.trim().replace(new RegExp(`^(?:\\S+\\s+){${rest}}`), '');
  return { name, type, ttl, rdata: parseRdata(type, rdataText, origin) };
}

/** Joins `( … )` groups into single logical lines, keeping their first line number. */
function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let open: { line: number; text: string } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const bare = stripComment(raw);
    if (open) {
      open.text += ' ' + bare.replace(/[()]/g, ' ');
      if (bare.includes(')')) open = undefined;
      return;
    }
    if (bare.includes('(') && !bare.includes(')')) {
      open = { line: i + 1, text: bare.replace(/[()]/g, ' ') };
      out.push(open);
      return;
    }
    out.push({ line: i + 1, text: bare.replace(/[()]/g, ' ') });
  });
  return out;
}

/**
 * Reads a whole zone file relative to `origin`, honouring `$ORIGIN` and
 * `$TTL`. Returns every record and every problem, each with its line.
 */
export function parseZoneFile(text: string, origin: string, defaultTtl = 3600): LineResult[] {
  const results: LineResult[] = [];
  let currentOrigin = origin;
  let ttl = defaultTtl;
  let previous: string | undefined;

  for (const { line, text: body } of logicalLines(text)) {
    if (body.trim() === '') continue;
    const directive = /^\$(ORIGIN|TTL)\s+(\S+)/i.exec(body.trim());
    if (directive) {
      if (directive[1]?.toUpperCase() === 'ORIGIN') currentOrigin = absoluteName(directive[2] as string, currentOrigin);
      else if (TTL.test(directive[2] as string)) ttl = Number(directive[2]);
      else results.push({ line, error: `$TTL needs a number, got "${directive[2]}"` });
      continue;
    }
    try {
      const record = parseRecordLine(body, currentOrigin, ttl, previous);
      previous = record.name;
      results.push({ line, record });
    } catch (err) {
      results.push({ line, error: (err as Error).message });
    }
  }
  return results;
}

/** Writes a zone in RFC 1035 presentation format, owners relative to the apex. */
export function formatZone(zone: Zone): string {
  const lines = [`$ORIGIN ${zone.apex}.`];
  for (const [name, node] of zone.entries()) {
    // The SOA opens a zone file (RFC 1035 §5.2); the apex comes first.
    const rrsets = [...node.values()].sort((a, b) => Number(b.type === RRType.SOA) - Number(a.type === RRType.SOA));
    for (const rrset of rrsets) {
      for (const rdata of rrset.rdata) {
        lines.push(`${relativeName(name, zone.apex)}\t${rrset.ttl}\tIN\t${typeName(rrset.type)}\t${rdata}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}
