/**
 * Checking a presented secret: the token it names, its expiry and its
 * allowed client subnets. The outcome carries an internal reason for the
 * log; callers answer every failure the same way.
 */
import ipaddr from 'ipaddr.js';

import { parseIP, unmap } from '../zone/ip.js';
import { parseSubnet, type Account, type Directory, type Token } from './directory.js';
import { digestSecret } from './secrets.js';

/** Why a secret was refused; for the log only, never for the client. */
export type AuthFailure = 'unknown-token' | 'token-expired' | 'subnet-not-allowed' | 'account-missing';

/** The outcome of checking a secret. */
export type Verified = { ok: true; token: Token; account: Account } | { ok: false; reason: AuthFailure };

/** Parses a client address, reading `::ffff:a.b.c.d` as the IPv4 address. */
export function clientAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const address = parseIP(text);
  return address ? unmap(address) : ipaddr.process(text);
}

/** True when the address lies in one of the token's subnets (or it has none). */
function subnetAllowed(token: Token, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (!token.subnets || token.subnets.length === 0) return true;

  return token.subnets.some((text) => {
    const subnet = parseSubnet(text);
    return subnet !== undefined && subnet[0].kind() === address.kind() && address.match(subnet);
  });
}

/** Finds the token of a secret and checks expiry and client subnet. */
export function verifySecret(directory: Directory, secret: string, client: ipaddr.IPv4 | ipaddr.IPv6, now = new Date()): Verified {
  const token = directory.tokenByDigest(digestSecret(secret));
  if (!token) return { ok: false, reason: 'unknown-token' };
  if (token.expires && Date.parse(token.expires) <= now.getTime()) return { ok: false, reason: 'token-expired' };
  if (!subnetAllowed(token, client)) return { ok: false, reason: 'subnet-not-allowed' };

  const account = directory.account(token.account);
  if (!account) return { ok: false, reason: 'account-missing' };
  return { ok: true, token, account };
}
