/**
 * The client address of a request: the TCP peer, or, only when the peer is
 * one of the configured trusted proxies, the right-most address in
 * `X-Forwarded-For` that is not itself a trusted proxy. `::ffff:a.b.c.d`
 * is read as the IPv4 address `a.b.c.d` everywhere.
 */
import type { Config } from '../config.js';
import { parseStrict, type Address } from './address-items.js';
import { quote } from './quote.js';

/** CIDRs whose forwarded-for header is believed. */
export type TrustedProxies = Config['update']['trustedProxies'];

/** The client address, or the 400 line for a header that cannot be read. */
export type ClientAddress = { ok: true; address: Address } | { ok: false; message: string };

function trusted(address: Address, proxies: TrustedProxies): boolean {
  return proxies.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/** Decides the client address of one request. */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  proxies: TrustedProxies,
): ClientAddress {
  const address = parseStrict(peer ?? '');
  if (!address) return { ok: false, message: 'the connection has no peer address' };
  if (!trusted(address, proxies) || forwardedFor === undefined) return { ok: true, address };

  const hops = [forwardedFor].flat().join(',').split(',').map((hop) => hop.trim());
  let client = address;
  for (const hop of hops.reverse()) {
    const parsed = parseStrict(hop);
    if (!parsed) return { ok: false, message: `invalid address ${quote(hop)} in X-Forwarded-For` };

    client = parsed;
    if (!trusted(parsed, proxies)) break;
  }
  return { ok: true, address: client };
}
