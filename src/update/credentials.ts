/**
 * Reading the credentials of a request, in the documented order: the
 * `Authorization: Token` header, the `Authorization: Basic` header, then
 * the `username`/`password` query pair. The first scheme present decides;
 * nothing here checks a secret.
 */
import type { Query } from './query.js';

/** How the secret came. */
export type Scheme = 'token' | 'basic' | 'query';

/** Credentials as sent, or why none could be read. */
export type Credentials =
  | { kind: 'none' }
  | { kind: 'malformed'; scheme: Scheme; problem: string }
  | { kind: 'present'; scheme: Scheme; secret: string; user: string | undefined };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Picks the first scheme present in the header and the query. */
export function readCredentials(authorization: string | undefined, query: Query): Credentials {
  const header = /^\s*(\S+)(?:\s+(.*))?$/s.exec(authorization ?? '');
  const scheme = header?.[1]?.toLowerCase();
  const param = (header?.[2] ?? '').trim();
  if (scheme === 'token') return readToken(param);
  if (scheme === 'basic') return readBasic(param);

  const password = query.get('password');
  if (password === undefined) return { kind: 'none' };
  return { kind: 'present', scheme: 'query', secret: password, user: query.get('username') ?? '' };
}

function readToken(param: string): Credentials {
  if (param === '' || /\s/.test(param)) return malformed('token', 'token header without one secret');

  return { kind: 'present', scheme: 'token', secret: param, user: undefined };
}

/** RFC 7617 §2: user-id and password split at the first colon. */
function readBasic(param: string): Credentials {
  if (!BASE64.test(param)) return malformed('basic', 'basic header is not base64');

  let text: string;
  try {
    text = utf8.decode(Buffer.from(param, 'base64'));
  } catch {
    return malformed('basic', 'basic credentials are not UTF-8');
  }
  const colon = text.indexOf(':');
  if (colon < 0) return malformed('basic', 'basic credentials without a colon');

  return { kind: 'present', scheme: 'basic', user: text.slice(0, colon), secret: text.slice(colon + 1) };
}

function malformed(scheme: Scheme, problem: string): Credentials {
  return { kind: 'malformed', scheme, problem };
}
