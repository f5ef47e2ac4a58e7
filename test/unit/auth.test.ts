import t from 'tap';

import { Directory } from '../../src/auth/directory.js';
import { BASE58, digestSecret, generateSecret, SECRET_LENGTH } from '../../src/auth/secrets.js';
import { clientAddress, verifySecret } from '../../src/auth/verify.js';

const inZone = (name: string): boolean => name.endsWith('.dyn.example.net');

function directory(): Directory {
  const d = new Directory();
  d.addAccount('alice', 'Alice@Example.org');
  d.addAccount('bob', undefined);
  d.addDomain('home.dyn.example.net', 'alice', inZone);
  d.addDomain('cabin.dyn.example.net', 'alice', inZone);
  return d;
}

function token(d: Directory, secret: string, extra: object = {}): void {
  d.addToken({ id: secret.slice(0, 6), account: 'alice', digest: digestSecret(secret), created: '2026-01-01T00:00:00.000Z', ...extra });
}

t.test('secrets are 28 base58 characters without look-alikes', async (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const s = generateSecret();
    t.equal(s.length, SECRET_LENGTH);
    t.match(s, /^[1-9A-HJ-NP-Za-km-z]+$/);
    seen.add(s);
  }
  t.equal(seen.size, 200);
  t.equal(BASE58.length, 58);
  t.notOk(/[0OIl]/.test(BASE58));
  t.match(digestSecret('x'), /^[0-9a-f]{64}$/);
});

t.test('domains never overlap, whoever owns them', async (t) => {
  const d = directory();
  t.throws(() => d.addDomain('sub.home.dyn.example.net', 'bob', inZone), { code: 'DDNS_ERR_CONFLICT', message: /overlaps the domain "home\.dyn\.example\.net"/ });
  t.throws(() => d.addDomain('dyn.example.net', 'bob', () => true), { code: 'DDNS_ERR_CONFLICT' });
  t.throws(() => d.addDomain('elsewhere.org', 'bob', inZone), { code: 'DDNS_ERR_USAGE', message: /not inside any zone/ });
  t.throws(() => d.addDomain('x.dyn.example.net', 'carol', inZone), { code: 'DDNS_ERR_NOT_FOUND' });
  t.throws(() => d.addAccount('alice', undefined), { code: 'DDNS_ERR_CONFLICT' });
  t.throws(() => d.addAccount('Bad Name', undefined), { code: 'DDNS_ERR_USAGE' });
  t.throws(() => d.addAccount('carol', 'not-mail'), { code: 'DDNS_ERR_USAGE' });
  t.equal(d.domainFor('a.b.home.dyn.example.net')?.name, 'home.dyn.example.net');
  t.equal(d.domainFor('dyn.example.net'), undefined);
  t.equal(d.account('alice')?.email, 'alice@example.org');
});

t.test('a token is found by its digest and checked for expiry and subnet', async (t) => {
  const d = directory();
  const now = new Date('2026-06-01T00:00:00Z');
  token(d, 'plain-secret-aaaaaaaaaaaa');
  token(d, 'expired-secret-bbbbbbbbbbb', { expires: '2026-05-01T00:00:00.000Z' });
  token(d, 'subnet-secret-ccccccccccccc', { subnets: ['192.0.2.0/24', '2001:db8::/32'] });
  const v4 = clientAddress('::ffff:192.0.2.77');
  t.equal(v4.kind(), 'ipv4');
  t.match(verifySecret(d, 'plain-secret-aaaaaaaaaaaa', v4, now), { ok: true, account: { name: 'alice' } });
  t.match(verifySecret(d, 'wrong', v4, now), { ok: false, reason: 'unknown-token' });
  t.match(verifySecret(d, 'expired-secret-bbbbbbbbbbb', v4, now), { ok: false, reason: 'token-expired' });
  t.match(verifySecret(d, 'subnet-secret-ccccccccccccc', v4, now), { ok: true });
  t.match(verifySecret(d, 'subnet-secret-ccccccccccccc', clientAddress('2001:db8::1'), now), { ok: true });
  t.match(verifySecret(d, 'subnet-secret-ccccccccccccc', clientAddress('198.51.100.1'), now), { ok: false, reason: 'subnet-not-allowed' });
});

t.test('a token limited to some domains sees only those', async (t) => {
  const d = directory();
  token(d, 'limited-secret-dddddddddddd', { domains: ['cabin.dyn.example.net'] });
  token(d, 'full-secret-eeeeeeeeeeeeeeee');
  const [limited, full] = d.tokens();
  t.same(d.tokenDomains(limited!).map((x) => x.name), ['cabin.dyn.example.net']);
  t.same(d.tokenDomains(full!).map((x) => x.name), ['cabin.dyn.example.net', 'home.dyn.example.net']);
  t.throws(() => token(d, 'foreign-secret-fffffffffff', { domains: ['other.dyn.example.net'] }), { message: /does not own the domain/ });
  t.throws(() => token(d, 'badnet-secret-gggggggggggg', { subnets: ['10.0.0.0/40'] }), { message: /not a subnet/ });
});

t.test('revoking a token and undoing changes restore the directory', async (t) => {
  const d = directory();
  token(d, 'to-revoke-secret-hhhhhhhhhh');
  const id = d.tokens()[0]!.id;
  const revoked = d.revokeToken(id);
  t.equal(d.tokenByDigest(digestSecret('to-revoke-secret-hhhhhhhhhh')), undefined);
  revoked.undo();
  t.ok(d.tokenByDigest(digestSecret('to-revoke-secret-hhhhhhhhhh')));
  t.throws(() => d.revokeToken('nope'), { code: 'DDNS_ERR_NOT_FOUND' });
});

t.test('the directory document loads back to the same directory', async (t) => {
  const d = directory();
  token(d, 'round-trip-secret-iiiiiiiii', { name: 'router', subnets: ['192.0.2.0/24'] });
  const doc = JSON.parse(JSON.stringify(d.toDoc()));
  t.notOk(JSON.stringify(doc).includes('round-trip-secret'), 'the secret itself is never stored');
  const back = new Directory(doc);
  t.same(back.accounts(), d.accounts());
  t.same(back.domains(), d.domains());
  t.same(back.tokens(), d.tokens());
});
