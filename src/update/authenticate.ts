/**
 * Authentication of an update request: the secret must name a live token
 * whose allowed subnets hold the client address (on every scheme), and a
 * user name sent with it must fit the token's account. Every failure gets
 * the same answer; the reason is for the log only.
 */
import type ipaddr from 'ipaddr.js';

import type { Account, Directory, Token } from '../auth/directory.js';
import { verifySecret, type AuthFailure } from '../auth/verify.js';
import { canonicalName, isAtOrBelow, isValidName } from '../zone/names.js';
import type { Credentials, Scheme } from './credentials.js';

/** Why a request was not authenticated; never shown to the client. */
export type AuthReason = AuthFailure | 'no-credentials' | 'malformed-credentials' | 'wrong-user';

/** The outcome of authenticating one request. */
export type Authenticated =
  | { ok: true; scheme: Scheme; token: Token; account: Account; user: string | undefined }
  | { ok: false; reason: AuthReason; scheme: Scheme | undefined };

/** Checks the credentials of a request against the directory. */
export function authenticate(
  credentials: Credentials,
  directory: Directory,
  client: ipaddr.IPv4 | ipaddr.IPv6,
  now: Date,
): Authenticated {
  if (credentials.kind === 'none') return { ok: false, reason: 'no-credentials', scheme: undefined };
  const { scheme } = credentials;
  if (credentials.kind === 'malformed') return { ok: false, reason: 'malformed-credentials', scheme };

  const { user } = credentials;
  const verified = verifySecret(directory, credentials.secret, client, now);
  if (!verified.ok) return { ok: false, reason: verified.reason, scheme };
  const { token, account } = verified;
  const fits = user === undefined || userFits(user, account, directory);
  if (!fits) return { ok: false, reason: 'wrong-user', scheme };

  return { ok: true, scheme, token, account, user };
}

/**
 * The user sent beside a secret: empty, the account's name or e-mail, or
 * one name at or below one of the account's domains. Case and one trailing
 * dot are ignored; a comma list or surrounding spaces fail.
 */
export function userFits(user: string, account: Account, directory: Directory): boolean {
  if (user === '') return true;

  const name = canonicalName(user);
  if (name === account.name || name === account.email?.toLowerCase()) return true;
  if (!isValidName(name, true)) return false;

  return directory.domainsOf(account.name).some((domain) => isAtOrBelow(name, domain.name));
}
