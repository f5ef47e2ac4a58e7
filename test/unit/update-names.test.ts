import t from 'tap';

import type { Domain } from '../../src/auth/directory.js';
import { resolveNames, splitNames, type NameContext } from '../../src/update/names.js';
import { parseQuery } from '../../src/update/query.js';
import { ZoneSet } from '../../src/zone/zones.js';

const soa = { mname: 'ns1.example.net', rname: 'hostmaster.example.net', refresh: 3600, retry: 600, expire: 604800, minimum: 60, ttl: 3600 };
const { zones } = ZoneSet.build(['example.net', 'example.org'].map((name) => ({ name, soa, ns: ['ns1.example.net'], records: [] })));
const account = { name: 'alice', email: 'alice@example.com', created: '2026-01-01T00:00:00Z' };
const domain = (name: string): Domain => ({ name, account: 'alice', created: '2026-01-01T00:00:00Z' });
const home = domain('home.example.net');
const other = domain('other.example.org');

function names(query: string, options: { basicUser?: string; domains?: Domain[] } = {}) {
  const ctx: NameContext = { query: parseQuery(query), account, basicUser: options.basicUser, domains: options.domains ?? [home], zones };
  return resolveNames(ctx);
}

t.test('takes the main names from the first source that applies (update-api.md §3)', async (t) => {
  const two = [home, other];
  const rows: [string, string, { basicUser?: string; domains?: Domain[] }, string[]][] = [
    ['hostname wins', 'hostname=a.home.example.net&host_id=b.home.example.net', { basicUser: 'c.home.example.net' }, ['a.home.example.net']],
    ['hostname=YES is a dyndns1 flag, host_id follows', 'hostname=YES&host_id=home.example.net', {}, ['home.example.net']],
    ['yes in lower case is a name, and not ours', 'hostname=yes', {}, []],
    ['empty hostname is skipped', 'hostname=&host_id=b.home.example.net', {}, ['b.home.example.net']],
    ['then the Basic user', 'hostname=', { basicUser: 'c.home.example.net' }, ['c.home.example.net']],
    ['Basic user with @ is skipped', 'username=d.home.example.net', { basicUser: 'alice@example.com' }, ['d.home.example.net']],
    ['Basic user equal to the account is skipped', 'username=d.home.example.net', { basicUser: 'ALICE' }, ['d.home.example.net']],
    ['then the username query value', 'username=d.home.example.net', {}, ['d.home.example.net']],
    ['username equal to the account means the sole domain', 'username=alice', {}, ['home.example.net']],
    ['empty Basic user means the sole domain', '', { basicUser: '' }, ['home.example.net']],
    ['sole domain of the token', '', { domains: [other] }, ['other.example.org']],
    ['comma list, case, spaces, trailing dot, repeats', 'hostname=Home.Example.NET.,%20a.home.example.net%20,home.example.net', {}, ['home.example.net', 'a.home.example.net']],
    ['wildcards inside a list', 'hostname=*.home.example.net,home.example.net', {}, ['*.home.example.net', 'home.example.net']],
    ['several domains but one named', 'hostname=other.example.org', { domains: two }, ['other.example.org']],
  ];
  for (const [label, query, options, expected] of rows) {
    const result = names(query, options);
    if (expected.length === 0) t.match(result, { ok: false, answer: 'nohost' }, label);
    else t.match(result, { ok: true, main: expected }, label);
  }
});

t.test('refuses names with the first error that applies', async (t) => {
  const rows: [string, string, Domain[], string][] = [
    ['a name outside the domains', 'hostname=unknown.example.org', [home], 'nohost'],
    ['an empty second name', 'hostname=home.example.net,', [home], 'nohost'],
    ['an invalid name', 'hostname=bad_name!.home.example.net', [home], 'nohost'],
    ['a wildcard not in front', 'hostname=a.*.home.example.net', [home], 'nohost'],
    ['a name of a domain the token may not update', 'hostname=other.example.org', [home], 'nohost'],
    ['names in two domains', 'hostname=home.example.net,other.example.org', [home, other], 'several-domains'],
    ['no name and several domains', '', [home, other], 'unnamed-domain'],
    ['no name and no domain', '', [], 'nohost'],
    ['nohost wins over two domains', 'hostname=home.example.net,other.example.org,x.example.com', [home, other], 'nohost'],
    ['an override outside the domains', 'myipv6:nas.example.com=::1', [home], 'nohost'],
    ['an override with no name', 'myipv4:=1.2.3.4', [home], 'nohost'],
    ['an override in a second domain', 'hostname=home.example.net&myipv4:other.example.org=1.2.3.4', [home, other], 'several-domains'],
  ];
  for (const [label, query, domains, answer] of rows) t.match(names(query, { domains }), { ok: false, answer }, label);
});

t.test('reads per-name overrides in query order and ignores other colon keys', async (t) => {
  const result = names('myipv6:nas.home.example.net=2001:db8::/64&myipv4:a.home.example.net,B.home.example.net=preserve&foo:x.example.com=1&myip:y.example.com=1');
  t.match(result, {
    ok: true,
    main: ['home.example.net'],
    domain: 'home.example.net',
    overrides: [
      { key: 'myipv6:nas.home.example.net', family: 6, names: ['nas.home.example.net'], value: '2001:db8::/64' },
      { key: 'myipv4:a.home.example.net,B.home.example.net', family: 4, names: ['a.home.example.net', 'b.home.example.net'], value: 'preserve' },
    ],
  });
  t.equal(result.ok && result.overrides.length, 2);
});

t.test('splits a comma list the documented way', async (t) => {
  t.same(splitNames(' A.Example.NET. ,a.example.net,b.example.net.'), ['a.example.net', 'b.example.net']);
  t.same(splitNames('a,'), ['a', '']);
  t.same(splitNames('a..'), ['a.']);
});
