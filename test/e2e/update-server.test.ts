/**
 * The listener itself on real sockets: the paths that are not updates,
 * methods, HTTP/1.0 and keep-alive, size and time limits, the client
 * address (dual stack, trusted proxies), limits, durability and shutdown.
 */
import { connect } from 'node:net';

import t from 'tap';
import type { Test } from 'tap';

import { silentLogger } from '../../src/log.js';
import type { Op } from '../../src/store/types.js';
import { UpdateServer } from '../../src/update/index.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { fixtureConfig, recordsAt, startUpdateFixture, type FixtureOptions } from '../helpers/update-fixture.js';
import { parseResponse, rawRequest, requestText } from '../helpers/update-http.js';

const SECRET = 'Xw2rZ9kq3VtN8pL5mH7sJ4dF6gA1';
const AUTH = { Authorization: `Token ${SECRET}` };
const HOME = 'home.example.net';

function start(t: Test, options: Partial<FixtureOptions> = {}) {
  return startUpdateFixture(t.teardown, { domains: [HOME], tokens: [SECRET], ...options });
}

/** Reads everything a connection sends until the server closes it (or `ms` pass). */
function readUntilClose(host: string, port: number, write: (send: (text: string) => void) => void, ms = 5000) {
  return new Promise<{ data: string; closed: boolean; elapsed: number }>((resolve) => {
    const started = Date.now();
    const socket = connect({ host, port });
    let data = '';
    const timer = setTimeout(() => done(false), ms);
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data, closed, elapsed: Date.now() - started });
    };
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
    socket.on('connect', () => write((text) => socket.write(text)));
  });
}

t.test('answers /nic/checkip.html with the client address alone, without credentials', async (t) => {
  const f = await start(t);
  const v4 = await rawRequest({ ...f.http4, target: '/nic/checkip.html' });
  t.match(v4, { status: 200, body: '127.0.0.1', headers: { 'content-type': 'text/plain; charset=utf-8' } });
  t.equal((await rawRequest({ ...f.http6, target: '/nic/checkip.html?x=1' })).body, '::1');
});

t.test('reads ::ffff:a.b.c.d on a dual-stack listener as the IPv4 client a.b.c.d', async (t) => {
  const f = await start(t, { httpListen: ['[::]:0'] });
  const port = f.http4.port;
  t.equal((await rawRequest({ host: '127.0.0.1', port, target: '/nic/checkip.html' })).body, '127.0.0.1');
  const res = await rawRequest({ host: '127.0.0.1', port, target: `/?hostname=${HOME}`, headers: AUTH });
  t.equal(res.body, 'good');
  t.same(recordsAt(f.state, HOME, 'A'), ['127.0.0.1'], 'the fallback address is IPv4');
  t.same(recordsAt(f.state, HOME, 'AAAA'), []);
});

t.test('serves the health check and reserves its prefix', async (t) => {
  const f = await start(t);
  t.match(await rawRequest({ ...f.http4, target: '/_dynzone/health' }), { status: 200, body: 'ok' });
  t.match(await rawRequest({ ...f.http4, target: '/_dynzone/other', headers: AUTH }), { status: 404 });
});

t.test('answers 404 to any .ico or .png without reading credentials or changing records', async (t) => {
  const f = await start(t, { rrsets: [{ name: HOME, type: 'A', records: ['198.51.100.1'] }] });
  for (const target of ['/favicon.ico', '/apple-touch-icon.PNG', '/x/y/Favicon.Ico?hostname=home.example.net&myip=203.0.113.7']) {
    t.equal((await rawRequest({ ...f.http4, target, headers: AUTH })).status, 404, target);
  }
  t.equal((await rawRequest({ ...f.http4, target: '/favicon.ico/', headers: AUTH })).status, 200, 'a last segment that is empty is an update');
  t.same(recordsAt(f.state, HOME, 'A'), ['127.0.0.1']);
});

t.test('answers 405 with Allow: GET to every other method, before authentication', async (t) => {
  const f = await start(t, { update: { rateLimit: { failedAuth: { requests: 1, windowSeconds: 600 } } } });
  for (const method of ['HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
    const res = await rawRequest({ ...f.http4, method, target: '/nic/update?myip=203.0.113.7', headers: { Authorization: 'Token wrong' } });
    t.equal(res.status, 405, method);
    t.equal(res.headers.allow, 'GET', `${method} Allow`);
  }
  t.equal((await rawRequest({ ...f.http4, target: '/', headers: { Authorization: 'Token wrong' } })).status, 401, 'no login was counted');
});

t.test('works over HTTP/1.0 and HTTP/1.1, with and without Host, and keeps 1.1 connections alive', async (t) => {
  const f = await start(t);
  for (const httpVersion of ['1.0', '1.1'] as const) {
    const res = await rawRequest({ ...f.http4, httpVersion, target: `/?hostname=${HOME}&myip=203.0.113.7`, headers: AUTH });
    t.match(res, { status: 200, body: 'good', httpVersion: '1.1' }, `HTTP/${httpVersion} without Host`);
  }
  const two = requestText({ ...f.http4, target: '/nic/checkip.html', headers: { Host: 'x' } });
  const { data } = await readUntilClose(f.http4.host, f.http4.port, (send) => send(two + two), 1000);
  t.equal(data.match(/HTTP\/1\.1 200/g)?.length, 2, 'two answers on one connection');
  const http10 = await readUntilClose(f.http4.host, f.http4.port, (send) => send('GET /nic/checkip.html HTTP/1.0\r\n\r\n'));
  t.ok(http10.closed, 'HTTP/1.0 without keep-alive is closed after the answer');
});

t.test('answers 414 to an over-long URL and 431 to over-long headers', async (t) => {
  const f = await start(t);
  const long = (n: number) => `/nic/update?hostname=${'a'.repeat(n)}`;
  t.equal((await rawRequest({ ...f.http4, target: long(8100) })).status, 401, 'just under the limit is read');
  t.equal((await rawRequest({ ...f.http4, target: long(9000) })).status, 414);
  t.equal((await rawRequest({ ...f.http4, target: long(40_000) })).status, 414, 'past Node’s own limit too');
  const big = { 'X-Filler': 'b'.repeat(9000) };
  t.equal((await rawRequest({ ...f.http4, target: '/', headers: big })).status, 431);
  const huge = { 'X-Filler': 'b'.repeat(40_000) };
  t.equal((await rawRequest({ ...f.http4, target: '/', headers: huge })).status, 431, 'past Node’s own limit too');
  const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`X-H${i}`, 'value-value-value']));
  t.equal((await rawRequest({ ...f.http4, target: '/', headers: many })).status, 431, 'many small headers');
});

t.test('answers 400 to bytes that are not HTTP and never crashes', async (t) => {
  const f = await start(t);
  const res = await readUntilClose(f.http4.host, f.http4.port, (send) => send('\x16\x03\x01\x02\x00garbage\r\n\r\n'));
  t.match(res.data, /^HTTP\/1\.1 400 /);
  t.match(res.data, /Content-Length: \d+\r\n/);
  t.equal((await rawRequest({ ...f.http4, target: '/nic/checkip.html' })).status, 200, 'still serving');
});

t.test('closes a client that is too slow to send its headers', async (t) => {
  const f = await start(t, { limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
  const slow = await readUntilClose(f.http4.host, f.http4.port, (send) => {
    send('GET /nic/checkip.html HTTP/1.1\r\n');
    const drip = setInterval(() => send('X-Slow: 1\r\n'), 100);
    setTimeout(() => clearInterval(drip), 3000);
  });
  t.ok(slow.closed, 'closed');
  t.ok(slow.elapsed < 2500, `within the limit and one check interval (${slow.elapsed} ms)`);
  t.match(slow.data, /^HTTP\/1\.1 408 /);
  const silent = await readUntilClose(f.http4.host, f.http4.port, () => undefined);
  t.ok(silent.closed && silent.elapsed < 2500, `a connection that never sends is closed too (${silent.elapsed} ms)`);
});

t.test('refuses connections beyond the per-listener cap and serves again once they go', async (t) => {
  const f = await start(t, { limits: { maxConnections: 2 } });
  const held = [connect(f.http4), connect(f.http4)];
  t.teardown(() => held.forEach((s) => s.destroy()));
  await Promise.all(held.map((s) => new Promise((resolve) => s.once('connect', resolve))));
  const third = await readUntilClose(f.http4.host, f.http4.port, (send) => send('GET /nic/checkip.html HTTP/1.1\r\n\r\n'), 3000);
  t.ok(third.closed, 'the third connection is closed');
  t.equal(third.data, '', 'and gets no answer');
  held.forEach((s) => s.destroy());
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal((await rawRequest({ ...f.http4, target: '/nic/checkip.html' })).status, 200, 'serves again');
});

t.test('believes X-Forwarded-For only from a trusted proxy', async (t) => {
  const trusting = await start(t, { update: { trustedProxies: ['127.0.0.0/8'] } });
  const forwarded = { ...AUTH, 'X-Forwarded-For': '203.0.113.50, 198.51.100.60' };
  t.equal((await rawRequest({ ...trusting.http4, target: '/nic/checkip.html', headers: forwarded })).body, '198.51.100.60');
  t.equal((await rawRequest({ ...trusting.http4, target: `/?hostname=${HOME}`, headers: forwarded })).body, 'good');
  t.same(recordsAt(trusting.state, HOME, 'A'), ['198.51.100.60'], 'the fallback uses the forwarded address');
  const bad = await rawRequest({ ...trusting.http4, target: '/', headers: { ...AUTH, 'X-Forwarded-For': 'nonsense' } });
  t.match(bad, { status: 400, body: 'invalid address "nonsense" in X-Forwarded-For' });
  t.equal((await rawRequest({ ...trusting.http6, target: '/nic/checkip.html', headers: forwarded })).body, '::1', '::1 is not trusted');

  const plain = await start(t);
  t.equal((await rawRequest({ ...plain.http4, target: '/nic/checkip.html', headers: forwarded })).body, '127.0.0.1');
});

t.test('limits updates per domain and failed logins per address with 429 and Retry-After', async (t) => {
  const f = await start(t, {
    update: { rateLimit: { perDomain: { requests: 2, windowSeconds: 120 }, failedAuth: { requests: 2, windowSeconds: 600 } } },
  });
  const update = () => rawRequest({ ...f.http4, target: `/?hostname=${HOME},a.${HOME}&myip=203.0.113.7`, headers: AUTH });
  t.equal((await update()).body, 'good\ngood');
  t.equal((await update()).body, 'good\ngood');
  const limited = await update();
  t.equal(limited.status, 429);
  t.match(limited.body, /^Rate limit exceeded; retry in (\d+) seconds\.$/);
  t.equal(limited.body, `Rate limit exceeded; retry in ${limited.headers['retry-after']} seconds.`);

  const wrong = () => rawRequest({ ...f.http6, target: '/', headers: { Authorization: 'Token wrong' } });
  t.equal((await wrong()).status, 401);
  t.equal((await wrong()).status, 401);
  t.match(await wrong(), { status: 429, headers: { 'retry-after': '600' } });
  t.equal((await rawRequest({ ...f.http4, target: '/', headers: { Authorization: 'Token wrong' } })).status, 401, 'per address');
});

t.test('raises the serial once per changing request and writes nothing for an unchanged one', async (t) => {
  const f = await start(t);
  const zone = f.state.zones.get('example.net');
  const serial = zone?.serial ?? 0;
  const commits = f.store.commits.length;
  const send = (query: string) => rawRequest({ ...f.http4, target: `/?${query}`, headers: AUTH });
  t.equal((await send(`hostname=${HOME},a.${HOME},b.${HOME}&myip=203.0.113.7,2001:db8::1`)).body, 'good\ngood\ngood');
  t.equal(zone?.serial, serial + 1, 'six RRsets, one serial step');
  t.equal(f.store.commits.length, commits + 1, 'one durable write');
  t.equal((await send(`hostname=${HOME},a.${HOME},b.${HOME}&myip=2001:db8::1,203.0.113.7`)).body, 'good\ngood\ngood');
  t.equal(zone?.serial, serial + 1, 'unchanged: same serial');
  t.equal(f.store.commits.length, commits + 1, 'unchanged: nothing written');
});

t.test('answers 503 911 when the store cannot write, and keeps the old records', async (t) => {
  const f = await start(t, { rrsets: [{ name: HOME, type: 'A', records: ['198.51.100.1'] }] });
  const serial = f.state.zones.get('example.net')?.serial;
  f.store.failNext = 1;
  const res = await rawRequest({ ...f.http4, target: `/?hostname=${HOME}&myip=203.0.113.7`, headers: AUTH });
  t.match(res, { status: 503, body: '911' });
  t.same(recordsAt(f.state, HOME, 'A'), ['198.51.100.1']);
  t.equal(f.state.zones.get('example.net')?.serial, serial);
});

t.test('refuses addresses at a name that holds a CNAME', async (t) => {
  const f = await start(t, { rrsets: [{ name: `www.${HOME}`, type: 'CNAME', records: [`${HOME}.`] }] });
  const res = await rawRequest({ ...f.http4, target: `/?hostname=www.${HOME}&myip=203.0.113.7`, headers: AUTH });
  t.match(res, { status: 400, body: 'cannot add addresses to "www.home.example.net": it holds a CNAME record' });
});

/** A store whose writes take `delayMs`, to hold a request in flight. */
class SlowStore extends MemoryStore {
  constructor(public delayMs: number) {
    super();
  }

  override async commit(ops: Op[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return super.commit(ops);
  }
}

t.test('finishes requests in flight on close and drops idle keep-alive connections', async (t) => {
  const store = new SlowStore(0);
  const f = await start(t, { store });
  const idle = readUntilClose(f.http4.host, f.http4.port, (send) => send('GET /nic/checkip.html HTTP/1.1\r\nHost: x\r\n\r\n'), 3000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  store.delayMs = 400;
  const inFlight = rawRequest({ ...f.http4, target: `/?hostname=${HOME}&myip=203.0.113.9`, headers: AUTH });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(recordsAt(f.state, HOME, 'A'), ['203.0.113.9'], 'the update is applied and waiting for its write');
  const started = Date.now();
  await f.server.close();
  t.ok(Date.now() - started >= 200, 'close waited for the request in flight');
  t.ok((await idle).closed, 'the idle keep-alive connection was closed');
  t.match(await inFlight, { status: 200, body: 'good', headers: { connection: 'close' } });
  await t.rejects(rawRequest({ ...f.http4, target: '/nic/checkip.html', timeoutMs: 1000 }), 'no longer accepting');
});

t.test('refuses to start when a listen address is taken, and closes what it opened', async (t) => {
  const f = await start(t);
  const config = fixtureConfig({ domains: [HOME], httpListen: ['127.0.0.1:0', `127.0.0.1:${f.http4.port}`] });
  const server = new UpdateServer({ state: f.state, config, logger: silentLogger() });
  t.teardown(() => server.close());
  await t.rejects(server.start(), { code: 'EADDRINUSE' });
  t.same(server.addresses(), { http: [], https: [] });
});

t.test('parses a response the way the tests expect', async (t) => {
  const parsed = parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood'), false);
  t.match(parsed, { status: 200, body: 'good', complete: true });
});
