/**
 * No secret ever reaches the log. Every line written at debug level during
 * good and bad requests (Token and Basic headers, query-string credentials,
 * malformed headers, limits, refusals before authentication, requests Node
 * cannot parse) is captured and searched for each secret in every form a
 * client sends it: plain, base64 inside Basic, percent-encoded.
 */
import { Writable } from 'node:stream';

import t from 'tap';

import { createLogger } from '../../src/log.js';
import { startUpdateFixture } from '../helpers/update-fixture.js';
import { rawRequest } from '../helpers/update-http.js';

const GOOD = 'Xw2rZ9kq3VtN8pL5mH7sJ4dF6gA1';
const WRONG = 'Qp4WrongSecret9Yt7Lk2Mn8Bv3';
const COLON = 'tok:en+with/odd&chars%';
const HOME = 'home.example.net';

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

/** Every form in which a secret travels in a request. */
function forms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64'),
    ...['', 'alice', HOME, `nas.${HOME}`].map((user) => Buffer.from(`${user}:${secret}`).toString('base64')),
    Buffer.from(`${secret}:${HOME}`).toString('base64'),
  ];
}

t.test('writes no secret to the log, whatever the request', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, next) => (lines.push(String(chunk)), next()) });
  const f = await startUpdateFixture(t.teardown, {
    domains: [HOME],
    tokens: [GOOD, COLON],
    logger: createLogger('debug', sink),
    update: { rateLimit: { failedAuth: { requests: 3, windowSeconds: 600 } } },
  });
  const send = (target: string, headers: Record<string, string> = {}, method = 'GET') =>
    rawRequest({ ...f.http4, method, target, headers: { Host: '127.0.0.1', ...headers } });
  const q = (secret: string) => `username=${HOME}&password=${encodeURIComponent(secret)}`;

  const expectStatus = async (status: number, label: string, response: Promise<{ status: number }>) =>
    t.equal((await response).status, status, label);

  await expectStatus(200, 'Token header', send(`/nic/update?hostname=${HOME}&myip=203.0.113.7`, { Authorization: `Token ${GOOD}` }));
  await expectStatus(200, 'Basic header', send('/nic/update?myip=203.0.113.8', { Authorization: basic(HOME, GOOD) }));
  await expectStatus(200, 'secret with colon and URL characters', send('/?myip=203.0.113.9', { Authorization: basic('', COLON) }));
  await expectStatus(200, 'query credentials', send(`/update?${q(GOOD)}&myip=203.0.113.10`));
  await expectStatus(200, 'query credentials with odd characters', send(`/update?${q(COLON)}`));
  await expectStatus(400, 'a bad address with query credentials', send(`/update?${q(GOOD)}&myip=1.2.3`));
  await expectStatus(404, 'a foreign name with query credentials', send(`/update?${q(GOOD)}&hostname=x.example.org`));
  await expectStatus(401, 'wrong Token', send('/', { Authorization: `Token ${WRONG}` }));
  await expectStatus(401, 'wrong Basic', send('/', { Authorization: basic(HOME, WRONG) }));
  await expectStatus(401, 'user and secret swapped', send('/', { Authorization: basic(GOOD, HOME) }));
  await expectStatus(429, 'wrong query credentials past the limit', send(`/update?${q(WRONG)}`));
  await expectStatus(429, 'malformed Basic, also past the limit', send('/', { Authorization: `Basic ${GOOD}` }));
  await expectStatus(405, 'POST with credentials', send(`/update?${q(GOOD)}`, { Authorization: `Token ${GOOD}` }, 'POST'));
  await expectStatus(404, 'favicon with credentials', send('/favicon.ico', { Authorization: basic(HOME, GOOD) }));
  await expectStatus(200, 'checkip with credentials', send(`/nic/checkip.html?${q(GOOD)}`));
  await expectStatus(414, 'over-long URL with credentials', send(`/update?${q(GOOD)}&pad=${'x'.repeat(9000)}`));
  await expectStatus(431, 'over-long headers with credentials', send('/', { Authorization: `Token ${GOOD}`, 'X-Pad': 'y'.repeat(9000) }));
  await expectStatus(400, 'a request Node cannot parse', send(`/update?${q(GOOD)} bad`, { Authorization: `Token ${GOOD}` }));

  const log = lines.join('');
  t.ok(lines.length >= 17, `captured ${lines.length} log lines`);
  for (const secret of [GOOD, WRONG, COLON]) {
    for (const form of forms(secret)) t.notOk(log.includes(form), `the log holds no ${JSON.stringify(form)}`);
  }
  t.notOk(/password|authorization/i.test(log), 'no field or text names a credential');

  const updates = lines.map((l) => JSON.parse(l) as { msg: string; path?: string }).filter((l) => l.msg.startsWith('update'));
  t.equal(updates.length, 12, 'one line per update request');
  t.ok(updates.every((l) => !l.path?.includes('?')), 'paths are logged without the query');
});
