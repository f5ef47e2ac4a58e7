/**
 * Closed-loop load: `clients` loops, each sending its next request as soon
 * as the previous one is answered, until a time cap or a request cap.
 */
import http from 'node:http';

import { percentile } from './stats.mjs';

/**
 * Runs `request(k)` for k = 0, 1, 2, … from `clients` loops at once. A
 * request resolves when acknowledged and throws when refused or timed out.
 */
export async function closedLoop({ clients, seconds, maxRequests, request }) {
  const latencies = [];
  const errors = new Map();
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;

  async function loop() {
    while (performance.now() < deadline && next < maxRequests) {
      const k = next++;
      const t = performance.now();
      try {
        await request(k);
        latencies.push(performance.now() - t);
      } catch (err) {
        failed++;
        errors.set(err.message, (errors.get(err.message) ?? 0) + 1);
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, loop));

  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    clients,
    acknowledged: latencies.length,
    failed,
    errors: Object.fromEntries(errors),
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? NaN,
  };
}

/** A keep-alive HTTP GET to 127.0.0.1:`port`; resolves with status and body. */
export function httpGet(agent, port, path, headers, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** The address update k writes: 100.64.0.0 counting up, never one of the zone's 10/8 addresses. */
export function updateAddress(k) {
  return `100.${64 + ((k >> 16) & 63)}.${(k >> 8) & 255}.${k & 255}`;
}

/**
 * Asks `dns` for `name` A right after an update was acknowledged, then
 * every millisecond until `address` is served (at most `capMs`). Resolves
 * with whether the first answer already held it and the time until one did.
 */
export async function visibility(dns, name, address, acknowledgedAt, capMs = 2000) {
  for (let attempt = 0; ; attempt++) {
    const answer = await dns.ask(name, 1, 500);
    const now = performance.now();
    if (answer?.addresses.includes(address)) return { first: attempt === 0, ms: now - acknowledgedAt };
    if (now - acknowledgedAt > capMs) return { first: false, ms: NaN };
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
