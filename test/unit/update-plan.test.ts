import t from 'tap';

import ipaddr from 'ipaddr.js';

import type { Intent } from '../../src/update/addresses.js';
import type { Family } from '../../src/update/names.js';
import type { Targets } from '../../src/update/addresses.js';
import { planChanges } from '../../src/update/plan.js';
import { RRType } from '../../src/zone/records.js';
import { ZoneSet } from '../../src/zone/zones.js';

const soa = { mname: 'ns1.example.net', rname: 'hostmaster.example.net', refresh: 3600, retry: 600, expire: 604800, minimum: 60, ttl: 3600 };

function zonesWith(records: string[]): ZoneSet {
  const { zones, problems } = ZoneSet.build([{ name: 'example.net', soa, ns: ['ns1.example.net'], records }]);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return zones;
}

const prefix = (text: string): Intent => {
  const [address, length] = ipaddr.parseCIDR(text);
  return { kind: 'prefix', address: ipaddr.process(address.toString()), length, source: 'myipv6:nas.home.example.net' };
};

function targets(...entries: [string, [Family, Intent][]][]): Targets {
  return new Map(entries.map(([name, intents]) => [name, new Map(intents)]));
}

t.test('rewrites the network bits of every existing record and keeps the host bits', async (t) => {
  const zones = zonesWith(['nas.home 60 IN AAAA 2001:db8:aaaa:bb00:1a2b:3c4d:5e6f:7890', 'nas.home 60 IN AAAA 2001:db8:aaaa:bb00::2', 'nas.home 60 IN A 198.51.100.5']);
  const plan = planChanges(targets(['nas.home.example.net', [[6, prefix('2001:db8:cccc:dd00::1/64')]]]), zones, 60);
  t.same(plan, {
    ok: true,
    changes: [{ name: 'nas.home.example.net', type: RRType.AAAA, ttl: 60, rdata: ['2001:db8:cccc:dd00:1a2b:3c4d:5e6f:7890', '2001:db8:cccc:dd00::2'] }],
    emptied: [],
  });
});

t.test('does a prefix update for IPv4 and for lengths that are not a multiple of 8', async (t) => {
  const zones = zonesWith(['nas.home 60 IN A 198.51.100.5', 'nas.home 60 IN AAAA 2001:db8::ffff']);
  const plan = planChanges(targets(['nas.home.example.net', [[4, prefix('203.0.113.0/24')], [6, prefix('2001:db9:8000::/33')]]]), zones, 60);
  t.match(plan, { ok: true, changes: [{ type: RRType.A, rdata: ['203.0.113.5'] }, { type: RRType.AAAA, rdata: ['2001:db9:8000::ffff'] }] });
});

t.test('writes nothing for a prefix when the name has no record of that family', async (t) => {
  const zones = zonesWith([]);
  t.same(planChanges(targets(['nas.home.example.net', [[6, prefix('2001:db8::/64')]]]), zones, 60), { ok: true, changes: [], emptied: [] });
});

t.test('refuses a prefix that makes two records equal', async (t) => {
  const zones = zonesWith(['nas.home 60 IN AAAA 2001:db8:1::5', 'nas.home 60 IN AAAA 2001:db8:2::5']);
  t.match(planChanges(targets(['nas.home.example.net', [[6, prefix('2001:db8:3::/48')]]]), zones, 60), {
    ok: false,
    message: /^prefix "2001:db8:3::\/48" in myipv6:nas\.home\.example\.net makes two IPv6 addresses of nas\.home\.example\.net equal$/,
  });
});

t.test('refuses addresses at a name that holds a CNAME, but lets deletes through', async (t) => {
  const zones = zonesWith(['alias.home 60 IN CNAME home.example.net.']);
  t.match(planChanges(targets(['alias.home.example.net', [[4, { kind: 'replace', addresses: ['203.0.113.7'] }]]]), zones, 60), {
    ok: false,
    message: /^cannot add addresses to "alias\.home\.example\.net": it holds a CNAME record$/,
  });
  t.match(planChanges(targets(['alias.home.example.net', [[4, { kind: 'delete' }], [6, { kind: 'preserve' }]]]), zones, 60), { ok: true });
});

t.test('reports names left without any address', async (t) => {
  const zones = zonesWith(['home 60 IN A 198.51.100.1', 'a.home 60 IN AAAA 2001:db8::1']);
  const del: [Family, Intent][] = [[4, { kind: 'delete' }], [6, { kind: 'delete' }]];
  const plan = planChanges(targets(['home.example.net', del], ['a.home.example.net', [[4, { kind: 'delete' }], [6, { kind: 'preserve' }]]], ['b.home.example.net', del]), zones, 60);
  t.match(plan, { ok: true, emptied: ['home.example.net'] });
});
