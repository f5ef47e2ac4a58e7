/**
 * Strict address parsing. ipaddr.js is lenient where a DNS server must
 * not be: it reads `010.1.2.3`, `127.1` and `0x7f.0.0.1` as IPv4, accepts
 * zone ids, and reads the IPv4-compatible form `::1.2.3.4` as if it were
 * the IPv4-mapped `::ffff:1.2.3.4`. Every address that enters dynzone
 * (records, update parameters, subnets, proxies) goes through here.
 */
import ipaddr from 'ipaddr.js';

/** An IPv4 or IPv6 address as ipaddr.js holds it. */
export type IP = ipaddr.IPv4 | ipaddr.IPv6;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Four decimal octets, no leading zeros, nothing else. */
const DOTTED_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** True when an IPv4 address is in strict dotted-quad form (no leading zeros). */
export function isStrictIPv4(text: string): boolean {
  return DOTTED_QUAD.test(text);
}

/** The four bytes of a strict dotted quad, or undefined. */
export function ipv4Bytes(text: string): Uint8Array | undefined {
  if (!DOTTED_QUAD.test(text)) return undefined;
  return Uint8Array.from(text.split('.'), Number);
}

/** Reads `count` hex groups of 1–4 digits into `groups` from `at`; false on any other text. */
function readGroups(parts: string[], groups: number[], at: number): boolean {
  for (const [i, part] of parts.entries()) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return false;
    groups[at + i] = parseInt(part, 16);
  }
  return true;
}

/**
 * The sixteen bytes of IPv6 text without zone id or brackets, or
 * undefined. A dotted IPv4 tail is read strictly, so `::1.2.3.4` means
 * `::102:304`, as RFC 4291 §2.2 says (ipaddr.js reads it as mapped).
 */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  let hex = text;
  const cut = text.lastIndexOf(':');
  if (cut >= 0 && text.includes('.', cut)) {
    const v4 = ipv4Bytes(text.slice(cut + 1));
    if (!v4) return undefined;
    hex = `${text.slice(0, cut + 1)}${(((v4[0] as number) << 8) | (v4[1] as number)).toString(16)}:${(((v4[2] as number) << 8) | (v4[3] as number)).toString(16)}`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : (halves[0] as string).split(':');
  const tail = halves.length === 1 || halves[1] === '' ? [] : (halves[1] as string).split(':');
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;

  const groups = new Array<number>(8).fill(0);
  if (!readGroups(head, groups, 0) || !readGroups(tail, groups, 8 - tail.length)) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** RFC 5952 text of sixteen IPv6 bytes: lower case, longest zero run (two or more groups) as `::`. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** Parses IPv6 text strictly (see `ipv6Bytes`). */
export function parseIPv6(text: string): ipaddr.IPv6 | undefined {
  const bytes = ipv6Bytes(text);
  return bytes && new ipaddr.IPv6(Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)));
}

/** Parses an IPv4 or IPv6 address strictly; IPv6 stays IPv6. */
export function parseIP(text: string): IP | undefined {
  if (text.includes(':')) return parseIPv6(text);
  return isStrictIPv4(text) ? ipaddr.IPv4.parse(text) : undefined;
}

/** Reads an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address. */
export function unmap(address: IP): IP {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (address as ipaddr.IPv6).toIPv4Address();
  }
  return address;
}

/**
 * Parses `addr/len` or a lone address as a subnet, strictly. An
 * IPv4-mapped subnet (`::ffff:10.0.0.0/104`) becomes the IPv4 subnet, since
 * client addresses are compared in that form.
 */
export function parseSubnet(text: string): [IP, number] | undefined {
  const slash = text.indexOf('/');
  const address = parseIP(slash < 0 ? text : text.slice(0, slash));
  const lengthText = slash < 0 ? undefined : text.slice(slash + 1);
  if (!address || (lengthText !== undefined && !/^\d{1,3}$/.test(lengthText))) return undefined;

  const max = address.kind() === 'ipv4' ? 32 : 128;
  const length = lengthText === undefined ? max : Number(lengthText);
  if (length > max) return undefined;
  const v4 = unmap(address);
  if (v4 !== address) return length >= 96 ? [v4, length - 96] : undefined;
  return [address, length];
}
