import t from 'tap';

import { clientAddress } from '../../src/auth/verify.js';
import { decideUpdate, type Decision, type UpdateDeps } from '../../src/update/decide.js';
import { parseQuery } from '../../src/update/query.js';
import { RateLimiter } from '../../src/update/rate-limit.js';
import { RRType } from '../../src/zone/records.js';
import { fixtureConfig, fixtureState, type FixtureOptions } from '../helpers/update-fixture.js';

const SECRET = 'Xw2rZ9kq3VtN8pL5mH7sJ4dF6gA1';
const LIMITED = 'Lm3nB7vC9xZ2aS4dF6gH8jK1qW5e';
const client = clientAddress('192.0.2.10');

async function setup(options: Partial<FixtureOptions> = {}) {
  const full: FixtureOptions = {
    domains: ['home.example.net', 'other.example.org'],
    tokens: [SECRET, { secret: LIMITED, domains: ['other.example.org'] }],
    otherDomains: ['bob.example.net'],
    ...options,
  };
  const config = fixtureConfig(full);
  const { state } = await fixtureState(config, full);
  const deps: UpdateDeps = {
    zones: state.zones,
    directory: state.directory,
    ttl: 60,
    perDomain: new RateLimiter({ requests: 2, windowSeconds: 60 }),
    failedAuth: new RateLimiter({ requests: 3, windowSeconds: 600 }),
  };
  /** `null` sends no Authorization header. */
  const decide = (query: string, authorization: string | null = `Token ${SECRET}`, now = 1000, from = client): Decision =>
    decideUpdate({ query: parseQuery(query), authorization: authorization ?? undefined, client: from, now }, deps);
  return { state, deps, decide };
}

const outcome = (d: Decision) => (d.kind === 'answer' ? d.outcome.kind : 'apply');

t.test('checks credentials before names, names before the limit, the limit before addresses', async (t) => {
  const { decide } = await setup();
  t.equal(outcome(decide('hostname=unknown.example.com&myip=1', 'Token wrong')), 'badauth');
  t.equal(outcome(decide('hostname=unknown.example.com&myip=garbage.')), 'nohost');
  t.equal(outcome(decide('hostname=home.example.net&myip=garbage.')), 'bad-request', 'counted: auth and names passed');
  t.equal(outcome(decide('hostname=home.example.net,a.home.example.net&myip=203.0.113.7')), 'apply', 'several names count once');
  t.equal(outcome(decide('hostname=home.example.net&myip=garbage.')), 'rate-limited', 'the limit comes before addresses');
  t.equal(outcome(decide('hostname=other.example.org')), 'apply', 'another domain has its own window');
});

t.test('plans the changes of a request with main names and an override', async (t) => {
  const { decide } = await setup();
  const d = decide('hostname=home.example.net&myip=203.0.113.7,2001:db8::42&myipv4:nas.home.example.net=');
  t.match(d, {
    kind: 'apply',
    lines: 1,
    changes: [
      { name: 'home.example.net', type: RRType.A, ttl: 60, rdata: ['203.0.113.7'] },
      { name: 'home.example.net', type: RRType.AAAA, ttl: 60, rdata: ['2001:db8::42'] },
      { name: 'nas.home.example.net', type: RRType.A, ttl: 60, rdata: [] },
    ],
    facts: { scheme: 'token', account: 'alice', names: ['home.example.net', 'nas.home.example.net'] },
  });
});

t.test('limits a token to its domains, also for the sole-domain rule', async (t) => {
  const { decide } = await setup();
  t.equal(outcome(decide('hostname=home.example.net', `Token ${LIMITED}`)), 'nohost');
  t.equal(outcome(decide('', `Token ${LIMITED}`)), 'apply');
  t.equal(outcome(decide('')), 'unnamed-domain');
  t.equal(outcome(decide('hostname=bob.example.net')), 'nohost', "another account's domain");
});

t.test('answers 429 after too many failed logins from one address, IPv6 per /64', async (t) => {
  const { decide } = await setup();
  for (let i = 0; i < 3; i++) t.equal(outcome(decide('', 'Token wrong')), 'badauth');
  const limited = decide('', 'Token wrong');
  t.match(limited, { kind: 'answer', outcome: { kind: 'rate-limited', retryAfter: 600 }, facts: { reason: /unknown-token; failed-login limit/ } });
  t.equal(outcome(decide('', 'Token wrong', 1000, clientAddress('192.0.2.11'))), 'badauth', 'another address is not affected');
  t.equal(outcome(decide('', null)), 'badauth', 'a request without credentials is a challenge, not a failure');
  t.equal(outcome(decide('hostname=home.example.net')), 'apply', 'a successful login is not slowed down');

  for (let i = 0; i < 3; i++) decide('', 'Token wrong', 1000, clientAddress(`2001:db8:1:2::${i + 1}`));
  t.equal(outcome(decide('', 'Token wrong', 1000, clientAddress('2001:db8:1:2:ffff::9'))), 'rate-limited');
  t.equal(outcome(decide('', 'Token wrong', 1000, clientAddress('2001:db8:1:3::1'))), 'badauth');
});

t.test('refuses an expired token and a client outside the allowed subnets the same way', async (t) => {
  const { decide } = await setup({
    tokens: [
      { secret: SECRET, expires: '2000-01-01T00:00:00Z' },
      { secret: LIMITED, subnets: ['198.51.100.0/24'] },
    ],
  });
  t.match(decide('', `Token ${SECRET}`, Date.now()), { kind: 'answer', outcome: { kind: 'badauth' }, facts: { reason: 'token-expired' } });
  const basic = `Basic ${Buffer.from(`:${LIMITED}`).toString('base64')}`;
  t.match(decide('hostname=home.example.net', basic), { kind: 'answer', outcome: { kind: 'badauth' }, facts: { reason: 'subnet-not-allowed' } });
  t.match(decide(`password=${LIMITED}&hostname=home.example.net`, null), { facts: { reason: 'subnet-not-allowed' } });
  t.equal(outcome(decide('hostname=home.example.net', basic, 1000, clientAddress('::ffff:198.51.100.7'))), 'apply');
});
