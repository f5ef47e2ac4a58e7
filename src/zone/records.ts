/**
 * Resource records: the types we serve, their presentation form (zone-file
 * text) and their RDATA in wire form. RDATA is encoded once, when a record
 * enters a zone, never per query. Names inside RDATA are written
 * uncompressed, which every resolver accepts (RFC 3597 §4).
 */

import { RecordSyntaxError } from '../errors.js';
import { formatIPv6, ipv4Bytes, ipv6Bytes, isStrictIPv4 } from './ip.js';
import { canonicalName, isValidName, nameToWire } from './names.js';

/** Type codes of the record types a zone may hold (RFC 1035, 3596, 2782, 8659). */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  CAA: 257,
} as const;

/** A type mnemonic we know. */
export type TypeName = keyof typeof RRType;

const NAMES = new Map<number, TypeName>(Object.entries(RRType).map(([k, v]) => [v, k as TypeName]));

/** The mnemonic of a type code, or RFC 3597's `TYPEnnn`. */
export function typeName(code: number): string {
  return NAMES.get(code) ?? `TYPE${code}`;
}

/** The code of a known type mnemonic (any case), or undefined. */
export function typeCode(name: string): number | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(RRType, upper) ? RRType[upper as TypeName] : undefined;
}

/** Largest RDATA (RFC 1035 §3.2.1: RDLENGTH is 16 bits). */
const MAX_RDATA = 0xffff;

/** RDATA in both forms: canonical presentation text and wire bytes. */
export interface Rdata {
  text: string;
  wire: Buffer;
}

/** Splits RDATA text into tokens; double-quoted strings keep their spaces. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const bare = m[2];
    if (bare?.includes('"')) throw new RecordSyntaxError(`unterminated or misplaced quote in ${bare}`);
    tokens.push(m[1] !== undefined ? `"${m[1]}"` : (bare as string));
  }
  return tokens;
}

/** Resolves a name in RDATA or owner position against the zone origin. */
export function absoluteName(token: string, origin: string): string {
  if (token === '@') return origin;
  if (token.endsWith('.')) return canonicalName(token);
  return canonicalName(origin === '' ? token : `${token}.${origin}`);
}

export { isStrictIPv4 };

/** Parses RDATA text of a known type into canonical text and wire bytes. */
export function parseRdata(type: number, text: string, origin: string): Rdata {
  const tokens = tokenize(text.trim());
  const encoder = ENCODERS.get(type);
  if (!encoder) throw new RecordSyntaxError(`unsupported record type ${typeName(type)}`);

  const rdata = encoder(tokens, origin);
  if (rdata.wire.length > MAX_RDATA) throw new RecordSyntaxError(`${typeName(type)} data is ${rdata.wire.length} bytes; at most ${MAX_RDATA} fit`);
  return rdata;
}

type Encoder = (tokens: string[], origin: string) => Rdata;

function want(tokens: string[], n: number, type: string): void {
  if (tokens.length !== n) {
    throw new RecordSyntaxError(`${type} needs ${n} field${n === 1 ? '' : 's'}, got ${tokens.length}`);
  }
}

function target(token: string, origin: string, type: string): string {
  const name = absoluteName(token, origin);
  if (name !== '' && !isValidName(name, true)) throw new RecordSyntaxError(`${type}: invalid name "${token}"`);
  return name;
}

function uint(token: string, bits: 8 | 16 | 32, what: string): number {
  const max = 2 ** bits - 1;
  if (!/^\d+$/.test(token) || Number(token) > max) {
    throw new RecordSyntaxError(`${what} must be a whole number from 0 to ${max}, got "${token}"`);
  }
  return Number(token);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** UTF-8 bytes of the character (whole code point) at `i`, and its width in UTF-16 units. */
function charAt(text: string, i: number): [number[], number] {
  const code = text.codePointAt(i) as number;
  return [[...Buffer.from(String.fromCodePoint(code), 'utf8')], code > 0xffff ? 2 : 1];
}

/** Reads a presentation character-string: quoted or bare, with `\X` and `\DDD` escapes. */
function unescape(token: string): Buffer {
  const body = token.startsWith('"') && token.endsWith('"') && token.length >= 2 ? token.slice(1, -1) : token;
  const bytes: number[] = [];
  for (let i = 0; i < body.length; ) {
    if (body[i] !== '\\') {
      const [utf8, width] = charAt(body, i);
      bytes.push(...utf8);
      i += width;
      continue;
    }
    const digits = body.slice(i + 1, i + 4);
    if (/^\d{3}$/.test(digits) && Number(digits) < 256) {
      bytes.push(Number(digits));
      i += 4;
    } else if (i + 1 < body.length) {
      const [utf8, width] = charAt(body, i + 1);
      bytes.push(...utf8);
      i += 1 + width;
    } else {
      throw new RecordSyntaxError('a string ends in a lone backslash');
    }
  }
  return Buffer.from(bytes);
}

/** Writes bytes as one quoted presentation string. */
function quote(bytes: Buffer): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b < 0x20 || b > 0x7e) out += '\\' + String(b).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out + '"';
}

/** Cuts a byte string into character-strings of at most 255 bytes (RFC 1035 §3.3). */
function characterStrings(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) parts.push(bytes.subarray(i, i + 255));
  return parts.length > 0 ? parts : [Buffer.alloc(0)];
}

const encodeA: Encoder = (tokens) => {
  want(tokens, 1, 'A');
  const addr = tokens[0] as string;
  const bytes = ipv4Bytes(addr);
  if (!bytes) throw new RecordSyntaxError(`A: invalid IPv4 address "${addr}"`);
  return { text: addr, wire: Buffer.from(bytes) };
};

const encodeAAAA: Encoder = (tokens) => {
  want(tokens, 1, 'AAAA');
  const addr = tokens[0] as string;
  const bytes = ipv6Bytes(addr);
  if (!bytes) throw new RecordSyntaxError(`AAAA: invalid IPv6 address "${addr}"`);
  return { text: formatIPv6(bytes), wire: Buffer.from(bytes) };
};

function encodeNameOnly(type: string): Encoder {
  return (tokens, origin) => {
    want(tokens, 1, type);
    const name = target(tokens[0] as string, origin, type);
    return { text: name + '.', wire: nameToWire(name) };
  };
}

const encodeMX: Encoder = (tokens, origin) => {
  want(tokens, 2, 'MX');
  const pref = uint(tokens[0] as string, 16, 'MX preference');
  const name = target(tokens[1] as string, origin, 'MX');
  return { text: `${pref} ${name}.`, wire: Buffer.concat([u16(pref), nameToWire(name)]) };
};

const encodeTXT: Encoder = (tokens) => {
  if (tokens.length === 0) throw new RecordSyntaxError('TXT needs at least one string');
  const strings = tokens.flatMap((token) => characterStrings(unescape(token)));
  const wire = Buffer.concat(strings.flatMap((s) => [Buffer.from([s.length]), s]));
  return { text: strings.map(quote).join(' '), wire };
};

const encodeSRV: Encoder = (tokens, origin) => {
  want(tokens, 4, 'SRV');
  const [prio, weight, port] = tokens.slice(0, 3).map((t, i) => uint(t, 16, ['SRV priority', 'SRV weight', 'SRV port'][i] as string));
  const name = target(tokens[3] as string, origin, 'SRV');
  const wire = Buffer.concat([u16(prio as number), u16(weight as number), u16(port as number), nameToWire(name)]);
  return { text: `${prio} ${weight} ${port} ${name}.`, wire };
};

const encodeCAA: Encoder = (tokens) => {
  want(tokens, 3, 'CAA');
  const flags = uint(tokens[0] as string, 8, 'CAA flags');
  const tag = tokens[1] as string;
  if (!/^[a-zA-Z0-9]{1,255}$/.test(tag)) throw new RecordSyntaxError(`CAA: invalid tag "${tag}"`);
  const value = unescape(tokens[2] as string);
  const wire = Buffer.concat([Buffer.from([flags, tag.length]), Buffer.from(tag, 'latin1'), value]);
  return { text: `${flags} ${tag.toLowerCase()} ${quote(value)}`, wire };
};

const encodeSOA: Encoder = (tokens, origin) => {
  want(tokens, 7, 'SOA');
  const mname = target(tokens[0] as string, origin, 'SOA mname');
  const rname = target(tokens[1] as string, origin, 'SOA rname');
  const nums = tokens.slice(2).map((t) => uint(t, 32, 'SOA timer'));
  const wire = Buffer.concat([nameToWire(mname), nameToWire(rname), ...nums.map(u32)]);
  return { text: `${mname}. ${rname}. ${nums.join(' ')}`, wire };
};

const ENCODERS = new Map<number, Encoder>([
  [RRType.A, encodeA],
  [RRType.AAAA, encodeAAAA],
  [RRType.NS, encodeNameOnly('NS')],
  [RRType.CNAME, encodeNameOnly('CNAME')],
  [RRType.PTR, encodeNameOnly('PTR')],
  [RRType.MX, encodeMX],
  [RRType.TXT, encodeTXT],
  [RRType.SRV, encodeSRV],
  [RRType.CAA, encodeCAA],
  [RRType.SOA, encodeSOA],
]);
