/**
 * The query string of an update request, decoded the way HTML forms are:
 * `+` is a space, then percent-decoding, before anything is split. So
 * `%2c`, `%2C` and `,` are the same comma, and a key may hold a colon
 * (`myipv6:nas.home.example.net`), which is never split here.
 */

/** The decoded pairs of a query string. */
export interface Query {
  /** Every pair in the order it was sent; per-name overrides need the order. */
  readonly pairs: readonly (readonly [string, string])[];
  /** The last value sent for a key, or undefined when the key is absent. */
  get(key: string): string | undefined;
}

/** Decodes a raw query string (without the `?`); the last value of a key wins. */
export function parseQuery(raw: string): Query {
  const pairs = [...new URLSearchParams(raw)] as [string, string][];
  const last = new Map(pairs);
  return { pairs, get: (key) => last.get(key) };
}

/** Splits a request target into its path and its raw query string. */
export function splitTarget(target: string): { path: string; query: string } {
  const withoutOrigin = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i, '');
  const at = withoutOrigin.indexOf('?');
  const path = at < 0 ? withoutOrigin : withoutOrigin.slice(0, at);
  return { path: path === '' ? '/' : path, query: at < 0 ? '' : withoutOrigin.slice(at + 1) };
}
