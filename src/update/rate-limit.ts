/**
 * Sliding-window rate limits: at most `requests` hits per key within the
 * last `windowSeconds`. Memory stays bounded: keys whose hits have all
 * left the window are swept out, and past `maxKeys` the oldest keys go
 * first (a flood of new keys then forgets old ones, it never grows the
 * process without bound).
 */
import type { Window } from '../config.js';
import type { Address } from './address-items.js';

/** The outcome of one hit: allowed, or refused with seconds to wait. */
export type Hit = { allowed: true } | { allowed: false; retryAfter: number };

/** Default bound on the number of keys remembered. */
const DEFAULT_MAX_KEYS = 100_000;

/** One sliding window per key. */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  /** Hit times per key, oldest first; a key is re-inserted on every hit. */
  readonly #hits = new Map<string, number[]>();
  #sinceSweep = 0;

  constructor(window: Window, maxKeys = DEFAULT_MAX_KEYS) {
    this.#limit = window.requests;
    this.#windowMs = window.windowSeconds * 1000;
    this.#maxKeys = maxKeys;
  }

  /** Records a hit for `key` at `now` (ms) unless the key is over its limit. */
  hit(key: string, now: number): Hit {
    const hits = this.#live(key, now);
    const oldest = hits[0];
    if (hits.length >= this.#limit && oldest !== undefined) {
      return { allowed: false, retryAfter: Math.max(1, Math.ceil((oldest + this.#windowMs - now) / 1000)) };
    }

    hits.push(now);
    this.#hits.delete(key);
    this.#hits.set(key, hits);
    this.#maybeSweep(now);
    return { allowed: true };
  }

  /** Number of keys held, for tests of the memory bound. */
  get size(): number {
    return this.#hits.size;
  }

  /** The hits of a key still inside the window. */
  #live(key: string, now: number): number[] {
    const hits = this.#hits.get(key) ?? [];
    const start = hits.findIndex((t) => t > now - this.#windowMs);
    return start < 0 ? [] : hits.slice(start);
  }

  #maybeSweep(now: number): void {
    this.#sinceSweep++;
    if (this.#hits.size <= this.#maxKeys && this.#sinceSweep < 1000) return;

    this.#sinceSweep = 0;
    for (const [key, hits] of this.#hits) {
      if ((hits[hits.length - 1] ?? 0) <= now - this.#windowMs) this.#hits.delete(key);
    }
    for (const key of this.#hits.keys()) {
      if (this.#hits.size <= this.#maxKeys) break;
      this.#hits.delete(key);
    }
  }
}

/**
 * The failed-login key of a client: the IPv4 address, or the IPv6 /64, since
 * one IPv6 host usually holds a whole /64 and could rotate through it.
 */
export function clientKey(client: Address): string {
  if (client.kind() === 'ipv4') return client.toString();

  const groups = Buffer.from(client.toByteArray().slice(0, 8)).toString('hex').match(/.{4}/g) ?? [];
  return `${groups.join(':')}::/64`;
}
