/**
 * Every answer the endpoint gives, as a closed union, and the one table
 * that words each: status, plain-text body, headers. Internal reasons never
 * reach this file; a failure's answer does not say which check failed.
 */

/** What the endpoint answers, decided before anything is written. */
export type Outcome =
  | { kind: 'good'; lines: number }
  | { kind: 'badauth' }
  | { kind: 'nohost' }
  | { kind: 'several-domains' }
  | { kind: 'unnamed-domain' }
  | { kind: 'bad-request'; message: string }
  | { kind: 'rate-limited'; retryAfter: number }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' }
  | { kind: 'uri-too-long' }
  | { kind: 'headers-too-large' }
  | { kind: 'request-timeout' }
  | { kind: 'checkip'; address: string }
  | { kind: 'health' }
  | { kind: 'store-failed' }
  | { kind: 'server-fault' };

/** A rendered answer. */
export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** One row of the table: the status, the body and any extra headers. */
type Row<K extends Outcome['kind']> = (
  outcome: Extract<Outcome, { kind: K }>,
  realm: string,
) => { status: number; body: string; headers?: Record<string, string> };

const CLOSE = { Connection: 'close' };

/** The table: one row per kind of outcome (update-api.md §2–§6). */
const TABLE: { [K in Outcome['kind']]: Row<K> } = {
  good: (o) => ({ status: 200, body: Array.from({ length: o.lines }, () => 'good').join('\n') }),
  badauth: (_, realm) => ({
    status: 401,
    body: 'badauth',
    headers: { 'WWW-Authenticate': `Basic realm="${realm}"` },
  }),
  nohost: () => ({ status: 404, body: 'nohost' }),
  'several-domains': () => ({ status: 400, body: 'Cannot update names from more than one domain.' }),
  'unnamed-domain': () => ({ status: 400, body: 'Request does not name the domain to update.' }),
  'bad-request': (o) => ({ status: 400, body: o.message }),
  'rate-limited': (o) => ({
    status: 429,
    body: `Rate limit exceeded; retry in ${o.retryAfter} seconds.`,
    headers: { 'Retry-After': String(o.retryAfter) },
  }),
  'method-not-allowed': () => ({ status: 405, body: 'Method not allowed.', headers: { Allow: 'GET' } }),
  'not-found': () => ({ status: 404, body: 'Not found.' }),
  'uri-too-long': () => ({ status: 414, body: 'Request URL too long.', headers: CLOSE }),
  'headers-too-large': () => ({ status: 431, body: 'Request headers too large.', headers: CLOSE }),
  'request-timeout': () => ({ status: 408, body: 'Request timeout.', headers: CLOSE }),
  checkip: (o) => ({ status: 200, body: o.address }),
  health: () => ({ status: 200, body: 'ok' }),
  'store-failed': () => ({ status: 503, body: '911' }),
  'server-fault': () => ({ status: 500, body: '911' }),
};

/**
 * Headers every answer carries; Content-Length is set where the body is
 * written. Successes name their charset as update-api.md §5 asks; error
 * bodies are ASCII by construction (request text in them goes through
 * `quote()`), so they carry the bare media type the client cases pin.
 */
function common(status: number): Record<string, string> {
  return {
    'Content-Type': status === 200 ? 'text/plain; charset=utf-8' : 'text/plain',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** Words an outcome as status, body and headers. */
export function render(outcome: Outcome, realm: string): Answer {
  const row = TABLE[outcome.kind] as Row<Outcome['kind']>;
  const { status, body, headers } = row(outcome, realm);
  return { status, body, headers: { ...common(status), ...headers } };
}
