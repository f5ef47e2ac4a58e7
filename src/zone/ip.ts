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

/** True when an IPv4 address is in strict dotted-quad form (no leading zeros). */
export function isStrictIPv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) && !/(^|\.)0\d/.test(text);
}

/**
 * Parses IPv6 text without zone id or brackets. A dotted IPv4 tail is
 * checked strictly and turned into two hex groups first, so `::1.2.3.4`
 * means `::102:304`, as RFC 4291 §2.2 says.
 */
export function parseIPv6(text: string): ipaddr.IPv6 | undefined {
  if (!text.includes(':') || /[%[\]]/.test(text)) return undefined;

  const cut = text.lastIndexOf(':');
  const tail = text.slice(cut + 1);
  let hex = text;
  if (tail.includes('.')) {
    if (!isStrictIPv4(tail)) return undefined;
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    hex = `${text.slice(0, cut + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  return ipaddr.IPv6.isValid(hex) ? ipaddr.IPv6.parse(hex) : undefined;
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
