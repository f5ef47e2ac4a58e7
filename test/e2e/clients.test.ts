/**
 * Real update clients against the whole server (file store, DNS server,
 * update endpoint) on loopback: each one's update lands, the client
 * reports success, and dig on our DNS port returns the new address; with a
 * wrong token each client reports failure and nothing changes. A client
 * whose program is missing is skipped with the package to install.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import t from 'tap';
import type { Test } from 'tap';

import { startTestApp, type TestApp } from '../helpers/app.js';
import { curl, ddclient, digShort, inadyn, installed, urllib, wget, type Target } from '../helpers/update-clients.js';

const HOME = 'home.example.net';
const SUB = `sub.${HOME}`;

/** Skips a test when its program is missing, naming the Debian package. */
async function need(command: string, pkg = command): Promise<{ skip?: string }> {
  return (await installed(command)) ? {} : { skip: `${command} is not installed (Debian package ${pkg})` };
}

const dig = await need('dig', 'bind9-dnsutils');

/** The whole server in a temp folder, one account with one domain, and a scratch folder for client files. */
async function setup(t: Test): Promise<{ app: TestApp; good: Target; bad: Target; dir: string; url: (query: string) => string }> {
  const app = await startTestApp(t, { update: { rateLimit: { perDomain: { requests: 100, windowSeconds: 60 } } } });
  const secret = await app.account('alice', [HOME]);
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-clients-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = { port: app.httpPort, user: HOME, secret };
  const bad = { ...good, secret: `${secret.slice(0, -4)}Zzzz` };
  return { app, good, bad, dir, url: (query) => `http://127.0.0.1:${app.httpPort}/nic/update?${query}` };
}

function records(app: TestApp, name: string): string[] {
  return [...(app.app.state.zones.find(name)?.get(name, 1)?.rdata ?? [])];
}

/** Checks the records in the state and, when dig is there, as served. */
async function served(t: Test, ctx: { app: TestApp; dir: string }, name: string, expected: string[]): Promise<void> {
  t.same(records(ctx.app, name), expected, `${name} A in the zone`);
  if (dig.skip) return;
  t.same(await digShort(ctx.app.dnsPort, name, 'A', ctx.dir), expected, `dig ${name} A`);
}

t.test('ddclient (dyndns2, two hosts in one request) updates both and reports success', await need('ddclient'), async (t) => {
  const ctx = await setup(t);
  const bad = await ddclient(ctx.bad, [HOME, SUB], '203.0.113.10', ctx.dir);
  t.not(bad.code, 0, 'a wrong token makes ddclient exit with an error');
  t.match(bad.out, /FAILED:\s+updating home\.example\.net,sub\.home\.example\.net/);
  t.same(records(ctx.app, HOME), []);

  const good = await ddclient(ctx.good, [HOME, SUB], '203.0.113.11', ctx.dir);
  t.equal(good.code, 0, 'ddclient exits 0');
  t.match(good.out, /SUCCESS:\s+updating home\.example\.net: good: IP address set to 203\.0\.113\.11/);
  t.match(good.out, /SUCCESS:\s+updating sub\.home\.example\.net: good: IP address set to 203\.0\.113\.11/);
  t.notMatch(good.out, /Transfer-Encoding/i, 'never chunked');
  await served(t, ctx, HOME, ['203.0.113.11']);
  await served(t, ctx, SUB, ['203.0.113.11']);
});

t.test('inadyn (custom provider, HTTP/1.0, one run) updates and reports success', await need('inadyn'), async (t) => {
  const ctx = await setup(t);
  const bad = await inadyn(ctx.bad, HOME, '203.0.113.20', ctx.dir);
  t.not(bad.code, 0, 'a wrong token makes inadyn exit with an error');
  t.match(bad.out, /Authentication failure|badauth/);
  t.same(records(ctx.app, HOME), []);

  const good = await inadyn(ctx.good, HOME, '203.0.113.21', ctx.dir);
  t.equal(good.code, 0, 'inadyn exits 0');
  t.match(good.out, /Successful alias table update for home\.example\.net => new IP# 203\.0\.113\.21/);
  t.notMatch(good.out, /Retrying with built-in|Failed resolving/, 'inadyn asked nothing outside loopback');
  await served(t, ctx, HOME, ['203.0.113.21']);
});

t.test('curl with Basic, with a Token header and with query credentials', await need('curl'), async (t) => {
  const ctx = await setup(t);
  const { good, bad } = ctx;
  const basic = (target: Target) => ['-u', `${target.user}:${target.secret}`];
  const token = (target: Target) => ['-H', `Authorization: Token ${target.secret}`];
  const query = (target: Target) => `username=${target.user}&password=${target.secret}&`;

  const wrong = [
    await curl(ctx.url('myip=203.0.113.30'), basic(bad), ctx.dir),
    await curl(ctx.url(`hostname=${HOME}&myip=203.0.113.30`), token(bad), ctx.dir),
    await curl(ctx.url(`${query(bad)}myip=203.0.113.30`), [], ctx.dir),
  ];
  t.same(wrong.map((r) => r.code), [22, 22, 22], 'curl -f reports the 401 each time');
  t.same(records(ctx.app, HOME), []);

  t.match(await curl(ctx.url('myip=203.0.113.31'), basic(good), ctx.dir), { code: 0, out: 'good' }, 'Basic');
  await served(t, ctx, HOME, ['203.0.113.31']);
  t.match(await curl(ctx.url(`hostname=${HOME}&myip=203.0.113.32`), token(good), ctx.dir), { code: 0, out: 'good' }, 'Token');
  await served(t, ctx, HOME, ['203.0.113.32']);
  t.match(await curl(ctx.url(`${query(good)}myip=203.0.113.33`), [], ctx.dir), { code: 0, out: 'good' }, 'query string');
  await served(t, ctx, HOME, ['203.0.113.33']);

  const v6 = await curl(`http://[::1]:${ctx.app.http6Port}/?hostname=${HOME}`, token(good), ctx.dir);
  t.match(v6, { code: 0, out: 'good' }, 'over IPv6 with the address taken from the connection');
  t.same(ctx.app.app.state.zones.find(HOME)?.get(HOME, 28)?.rdata, ['::1']);
  await served(t, ctx, HOME, []);
});

t.test('wget --user/--password answers the Basic challenge and updates', await need('wget'), async (t) => {
  const ctx = await setup(t);
  const bad = await wget(ctx.bad, ctx.url(`hostname=${HOME}&myip=203.0.113.40`), ctx.dir);
  t.equal(bad.code, 6, 'wget exits 6: authentication failure');
  t.same(records(ctx.app, HOME), []);

  const good = await wget(ctx.good, ctx.url(`hostname=${HOME}&myip=203.0.113.41`), ctx.dir);
  t.match(good, { code: 0, out: 'good' });
  await served(t, ctx, HOME, ['203.0.113.41']);
});

t.test("Python's urllib with HTTPBasicAuthHandler answers the challenge and updates", await need('python3'), async (t) => {
  const ctx = await setup(t);
  const bad = await urllib(ctx.bad, ctx.url(`hostname=${HOME}&myip=203.0.113.50`), ctx.dir);
  t.match(bad, { code: 1, out: /^401 badauth/ });
  t.same(records(ctx.app, HOME), []);

  const good = await urllib(ctx.good, ctx.url(`hostname=${HOME}&myip=203.0.113.51`), ctx.dir);
  t.match(good, { code: 0, out: /^200 good/ });
  await served(t, ctx, HOME, ['203.0.113.51']);
});
