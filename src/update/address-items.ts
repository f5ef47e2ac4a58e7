/**
 * One item of an address parameter: the empty string, the keyword
 * `preserve`, an address, a prefix `addr/len`, or a word that is ignored.
 * An item meant as an address (it holds `.` or `:`) must parse strictly:
 * IPv4 in four-part decimal without leading zeros, IPv6 without zone id
 * or brackets, never the unspecified address. Its family comes from
 * parsing; `::ffff:a.b.c.d` is IPv4.
 */
import ipaddr from 'ipaddr.js';

import { parseIP, unmap } from '../zone/ip.js';
import type { Family } from './names.js';

/** An IPv4 or IPv6 address as ipaddr.js holds it. */
export type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One classified item. */
export type Item =
  | { kind: 'empty' }
  | { kind: 'preserve' }
  | { kind: 'word' }
  | { kind: 'address'; family: Family; address: Address }
  | { kind: 'prefix'; family: Family; address: Address; length: number }
  | { kind: 'invalid'; what?: string; problem?: string };

/** Why `0.0.0.0` and `::` are refused: routers send them when they have no address. */
const UNSPECIFIED = 'the unspecified address is not stored';

/** True for `0.0.0.0` and `::`. */
export function isUnspecified(address: Address): boolean {
  return address.toByteArray().every((byte) => byte === 0);
}

/** The family of an address, with `::ffff:a.b.c.d` counted as IPv4. */
export function familyOf(address: Address): Family {
  return address.kind() === 'ipv4' ? 4 : 6;
}

/** The canonical text of an address: dotted quad, or RFC 5952 for IPv6. */
export function addressText(address: Address): string {
  return address.kind() === 'ipv4' ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
}

/** Classifies one trimmed item. */
export function classify(item: string): Item {
  if (item === '') return { kind: 'empty' };
  if (item === 'preserve') return { kind: 'preserve' };
  if (!item.includes('.') && !item.includes(':')) return { kind: 'word' };

  const slash = item.lastIndexOf('/');
  if (slash < 0) return asAddress(item);
  return asPrefix(item.slice(0, slash), item.slice(slash + 1));
}

function asAddress(text: string): Item {
  const address = parseStrict(text);
  if (!address) return { kind: 'invalid' };

  const family = familyOf(address);
  if (isUnspecified(address)) return { kind: 'invalid', what: `IPv${family} address`, problem: UNSPECIFIED };
  return { kind: 'address', family, address };
}

function asPrefix(text: string, lengthText: string): Item {
  const address = parseStrict(text);
  if (!address || !/^\d{1,3}$/.test(lengthText)) return { kind: 'invalid', what: 'prefix' };

  const family = familyOf(address);
  const length = Number(lengthText) - (family === 4 && text.includes(':') ? 96 : 0);
  if (length < 0 || length > (family === 4 ? 32 : 128)) {
    return { kind: 'invalid', what: 'prefix', problem: `the length does not fit IPv${family}` };
  }

  return { kind: 'prefix', family, address, length };
}

/**
 * Parses an address strictly, or returns undefined. ipaddr.js is lenient
 * (`010.1.2.3`, `127.1`, `0x7f.0.0.1`, zone ids), so each form is checked
 * before it is parsed, the dotted tail of an IPv6 address included.
 */
export function parseStrict(text: string): Address | undefined {
  const address = parseIP(text);
  return address && unmap(address);
}
