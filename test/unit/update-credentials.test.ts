import t from 'tap';

import { Directory } from '../../src/auth/directory.js';
import { digestSecret } from '../../src/auth/secrets.js';
import { clientAddress } from '../../src/auth/verify.js';
import { authenticate, userFits } from '../../src/update/authenticate.js';
import { readCredentials } from '../../src/update/credentials.js';
import { parseQuery } from '../../src/update/query.js';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;
const none = parseQuery('');

t.test('reads the Token header, scheme in any case', async (t) => {
  t.same(readCredentials('Token s3cret', none), { kind: 'present', scheme: 'token', secret: 's3cret', user: undefined });
  t.same(readCredentials('token   s3cret ', none), { kind: 'present', scheme: 'token', secret: 's3cret', user: undefined });
  t.same(readCredentials('TOKEN s3cret', none), { kind: 'present', scheme: 'token', secret: 's3cret', user: undefined });
});

t.test('splits Basic credentials at the first colon (RFC 7617)', async (t) => {
  t.same(readCredentials(basic('home.example.net:tok:en-with-colon'), none), {
    kind: 'present',
    scheme: 'basic',
    user: 'home.example.net',
    secret: 'tok:en-with-colon',
  });
  t.same(readCredentials(basic(':only-secret'), none), { kind: 'present', scheme: 'basic', user: '', secret: 'only-secret' });
  t.same(readCredentials(`bAsIc ${Buffer.from('Müller:pw').toString('base64')}`, none), {
    kind: 'present',
    scheme: 'basic',
    user: 'Müller',
    secret: 'pw',
  });
});

t.test('refuses malformed headers of a known scheme without falling through to the query', async (t) => {
  const query = parseQuery('username=u&password=p');
  const rows: [string, string][] = [
    ['Token', 'token'],
    ['Token two words', 'token'],
    ['Basic', 'basic'],
    ['Basic !!notbase64', 'basic'],
    [basic('no-colon-here'), 'basic'],
    [`Basic ${Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64')}`, 'basic'],
  ];
  for (const [header, scheme] of rows) t.match(readCredentials(header, query), { kind: 'malformed', scheme }, header);
});

t.test('ignores other Authorization schemes and then reads the query', async (t) => {
  const query = parseQuery('username=home.example.net&password=p%2Bq');
  t.same(readCredentials('Bearer abc', query), { kind: 'present', scheme: 'query', user: 'home.example.net', secret: 'p+q' });
  t.same(readCredentials(undefined, parseQuery('password=p')), { kind: 'present', scheme: 'query', user: '', secret: 'p' });
  t.same(readCredentials(undefined, parseQuery('username=u')), { kind: 'none' });
  t.same(readCredentials('', none), { kind: 'none' });
});

t.test('prefers a Basic header over query credentials', async (t) => {
  const query = parseQuery('username=x&password=from-query');
  t.match(readCredentials(basic('u:from-header'), query), { scheme: 'basic', secret: 'from-header' });
});

function directory(): Directory {
  const dir = new Directory();
  dir.addAccount('alice', 'Alice@Example.com');
  dir.addDomain('home.example.net', 'alice', () => true);
  dir.addDomain('other.example.org', 'alice', () => true);
  dir.addAccount('bob', undefined);
  dir.addDomain('bob.example.net', 'bob', () => true);
  dir.addToken({ id: 't1', account: 'alice', digest: digestSecret('secret-1'), created: '2026-01-01T00:00:00Z' });
  dir.addToken({
    id: 't2',
    account: 'alice',
    digest: digestSecret('secret-2'),
    created: '2026-01-01T00:00:00Z',
    expires: '2026-06-01T00:00:00Z',
    subnets: ['192.0.2.0/24', '2001:db8::/32'],
  });
  return dir;
}

t.test('accepts as user: empty, account name or e-mail, or a name in one of its domains', async (t) => {
  const dir = directory();
  const alice = dir.account('alice');
  if (!alice) throw new Error('no account');
  const rows: [string, boolean][] = [
    ['', true],
    ['alice', true],
    ['ALICE', true],
    ['alice@example.com', true],
    ['Alice@Example.COM', true],
    ['home.example.net', true],
    ['Home.Example.NET.', true],
    ['nas.home.example.net', true],
    ['*.home.example.net', true],
    ['other.example.org', true],
    ['bob.example.net', false],
    ['example.net', false],
    ['home.example.net,other.example.org', false],
    [' home.example.net', false],
    ['home.example.net ', false],
    ['home.example.net..', false],
    ['someone@example.com', false],
  ];
  for (const [user, fits] of rows) t.equal(userFits(user, alice, dir), fits, JSON.stringify(user));
});

t.test('gives one reason per failed check and succeeds only when all pass', async (t) => {
  const dir = directory();
  const v4 = clientAddress('192.0.2.10');
  const now = new Date('2026-03-01T00:00:00Z');
  const check = (header: string | undefined, query = '', client = v4, at = now) =>
    authenticate(readCredentials(header, parseQuery(query)), dir, client, at);

  t.match(check(undefined), { ok: false, reason: 'no-credentials' });
  t.match(check('Basic ***'), { ok: false, reason: 'malformed-credentials', scheme: 'basic' });
  t.match(check('Token nope'), { ok: false, reason: 'unknown-token', scheme: 'token' });
  t.match(check(basic('bob.example.net:secret-1')), { ok: false, reason: 'wrong-user' });
  t.match(check(undefined, 'username=bob.example.net&password=secret-1'), { ok: false, reason: 'wrong-user', scheme: 'query' });
  t.match(check('Token secret-2', '', clientAddress('198.51.100.1')), { ok: false, reason: 'subnet-not-allowed' });
  t.match(check(basic(':secret-2'), '', clientAddress('198.51.100.1')), { ok: false, reason: 'subnet-not-allowed' });
  t.match(check(undefined, 'password=secret-2', clientAddress('::ffff:198.51.100.1')), { ok: false, reason: 'subnet-not-allowed' });
  t.match(check('Token secret-2', '', v4, new Date('2026-07-01T00:00:00Z')), { ok: false, reason: 'token-expired' });

  t.match(check('Token secret-2', '', clientAddress('::ffff:192.0.2.10')), { ok: true, scheme: 'token' });
  t.match(check('Token secret-2', '', clientAddress('2001:db8::1')), { ok: true });
  t.match(check(basic('home.example.net:secret-1')), { ok: true, scheme: 'basic', user: 'home.example.net' });
  t.match(check(undefined, 'username=alice&password=secret-1'), { ok: true, scheme: 'query', user: 'alice' });
});
