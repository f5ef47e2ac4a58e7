import t from 'tap';

import { RRType } from '../../src/zone/records.js';
import { ZoneSet } from '../../src/zone/zones.js';
import { fixtureZone } from '../helpers/zone-fixture.js';

const HOME = 'home.dyn.example.net';

function build(doc = {}) {
  const { zones, problems } = ZoneSet.build([fixtureZone(['www CNAME home'])], doc);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return zones;
}

t.test('finds the zone of a name by its longest apex and none outside', async (t) => {
  const zones = build();
  t.equal(zones.find('a.b.dyn.example.net')?.apex, 'dyn.example.net');
  t.equal(zones.find('dyn.example.net')?.apex, 'dyn.example.net');
  t.equal(zones.find('example.net'), undefined);
  t.equal(zones.find(''), undefined);
});

t.test('reports bad configured record lines with zone and line', async (t) => {
  const { problems } = ZoneSet.build([fixtureZone(['ok A 192.0.2.1', 'bad A 1.2.3', 'out.example.org. A 192.0.2.1'])]);
  t.equal(problems.length, 2);
  t.match(problems[0], /zones\[dyn\.example\.net\]\.records\[2\] \(line 3\): A: invalid IPv4 address "1\.2\.3"/);
  t.match(problems[1], /records\[3\].*outside the zone/);
});

t.test('raises the serial once per change and not for an unchanged address', async (t) => {
  const zones = build();
  const zone = zones.get('dyn.example.net');
  const before = zone?.serial as number;
  const first = zones.apply([
    { name: HOME, type: RRType.A, ttl: 60, rdata: ['203.0.113.7'] },
    { name: HOME, type: RRType.AAAA, ttl: 60, rdata: ['2001:db8::7', '2001:DB8::7'] },
  ]);
  t.equal(zone?.serial, before + 1);
  t.same(zone?.get(HOME, RRType.AAAA)?.rdata, ['2001:db8::7']);
  t.same(first.ops.map((o) => o.p.join('/')), [
    `zones/dyn.example.net/rrsets/${HOME}/A`,
    `zones/dyn.example.net/rrsets/${HOME}/AAAA`,
    'zones/dyn.example.net/serial',
  ]);
  const again = zones.apply([{ name: HOME, type: RRType.A, ttl: 60, rdata: ['203.0.113.7'] }]);
  t.same(again.ops, []);
  t.equal(zone?.serial, before + 1);
  t.match(zone?.get('dyn.example.net', RRType.SOA)?.rdata[0], new RegExp(` ${before + 1} 3600 600 604800 60$`));
});

t.test('the serial wraps around at 2^32 (RFC 1982)', async (t) => {
  const zones = build({ 'dyn.example.net': { serial: 4294967295 } });
  zones.apply([{ name: HOME, type: RRType.A, ttl: 60, rdata: ['192.0.2.9'] }]);
  t.equal(zones.get('dyn.example.net')?.serial, 0);
});

t.test('checks every change before applying any', async (t) => {
  const zones = build();
  t.throws(() => zones.apply([
    { name: HOME, type: RRType.A, ttl: 60, rdata: ['203.0.113.7'] },
    { name: HOME, type: RRType.AAAA, ttl: 60, rdata: ['not-an-address'] },
  ]), { code: 'DDNS_ERR_RECORD_SYNTAX' });
  t.equal(zones.get('dyn.example.net')?.get(HOME, RRType.A), undefined);
  t.throws(() => zones.apply([{ name: 'x.example.org', type: RRType.A, ttl: 60, rdata: ['192.0.2.1'] }]), { message: /not in any served zone/ });
});

t.test('undo restores records and serial exactly', async (t) => {
  const zones = build();
  const zone = zones.get('dyn.example.net');
  zones.apply([{ name: HOME, type: RRType.A, ttl: 60, rdata: ['192.0.2.1'] }]);
  const serial = zone?.serial;
  const change = zones.apply([
    { name: HOME, type: RRType.A, ttl: 60, rdata: [] },
    { name: 'new.' + HOME, type: RRType.A, ttl: 60, rdata: ['192.0.2.2'] },
  ]);
  t.equal(zone?.exists(HOME), true, 'ENT above new name');
  change.undo();
  t.same(zone?.get(HOME, RRType.A)?.rdata, ['192.0.2.1']);
  t.equal(zone?.exists('new.' + HOME), false);
  t.equal(zone?.serial, serial);
});

t.test('only stored record sets go into the document, and they load back', async (t) => {
  const zones = build();
  zones.apply([{ name: '*.' + HOME, type: RRType.A, ttl: 60, rdata: ['192.0.2.1'] }]);
  const doc = zones.toDoc() as Record<string, { serial: number; rrsets: Record<string, unknown> }>;
  t.same(Object.keys(doc['dyn.example.net']?.rrsets ?? {}), ['*.' + HOME]);
  const again = build(doc);
  t.same(again.get('dyn.example.net')?.get('*.' + HOME, RRType.A)?.rdata, ['192.0.2.1']);
  t.equal(again.get('dyn.example.net')?.serial, doc['dyn.example.net']?.serial);
});

t.test('refuses a CNAME beside other data, in a change or in the configuration', async (t) => {
  const zones = build();
  t.throws(() => zones.apply([{ name: 'www.dyn.example.net', type: RRType.A, ttl: 60, rdata: ['192.0.2.1'] }]), { message: /www\.dyn\.example\.net would hold a CNAME and other records/ });
  zones.apply([{ name: HOME, type: RRType.A, ttl: 60, rdata: ['192.0.2.1'] }]);
  t.throws(() => zones.apply([{ name: HOME, type: RRType.CNAME, ttl: 60, rdata: ['www'] }]), { code: 'DDNS_ERR_RECORD_SYNTAX' });
  zones.apply([
    { name: HOME, type: RRType.A, ttl: 60, rdata: [] },
    { name: HOME, type: RRType.CNAME, ttl: 60, rdata: ['www'] },
  ]);
  t.same(zones.get('dyn.example.net')?.get(HOME, RRType.CNAME)?.rdata, ['www.dyn.example.net.'], 'replacing the address by a CNAME in one change is fine');
  const { problems } = ZoneSet.build([fixtureZone(['x A 192.0.2.1', 'x CNAME www'])]);
  t.match(problems.join('\n'), /x\.dyn\.example\.net has a CNAME and other records/);
});

t.test('tells configured address owners from stored ones', async (t) => {
  const zones = build();
  zones.apply([{ name: HOME, type: RRType.A, ttl: 60, rdata: ['192.0.2.1'] }]);
  t.same(zones.configuredAddressOwners('dyn.example.net'), ['ns1.dyn.example.net']);
  t.same(zones.configuredAddressOwners(HOME), []);
  t.ok(zones.isStored(HOME, RRType.A));
  t.notOk(zones.isStored('ns1.dyn.example.net', RRType.A));
});

t.test('refuses two CNAMEs at a name, bad TTLs and record sets too large to answer', async (t) => {
  const zones = build();
  t.throws(() => zones.apply([{ name: 'c.dyn.example.net', type: RRType.CNAME, ttl: 60, rdata: ['a', 'b'] }]), { message: /at most one CNAME/ });
  t.throws(() => zones.apply([{ name: HOME, type: RRType.A, ttl: -5, rdata: ['192.0.2.1'] }]), { message: /TTL -5/ });
  const big = Array.from({ length: 3 }, (_, i) => `"${String(i).repeat(30000)}"`);
  t.throws(() => zones.apply([{ name: HOME, type: RRType.TXT, ttl: 60, rdata: big }]), { message: /at most 60000 fit/ });
  const { problems } = ZoneSet.build([fixtureZone(['c CNAME a', 'c CNAME b'])]);
  t.match(problems.join('\n'), /c\.dyn\.example\.net CNAME: a name has at most one CNAME/);
});
