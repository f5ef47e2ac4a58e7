import t from 'tap';

import { silentLogger } from '../../src/log.js';
import { runCommand } from '../../src/manage.js';
import { State } from '../../src/state.js';
import { RRType } from '../../src/zone/records.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { fixtureZone } from '../helpers/zone-fixture.js';

async function open(store = new MemoryStore()) {
  const state = await State.open([fixtureZone()], store, silentLogger());
  await runCommand(state, 'account add', { name: 'alice', email: 'alice@example.org' });
  await runCommand(state, 'domain add', { name: 'Home.Dyn.Example.NET.', account: 'alice' });
  return { state, store };
}

t.test('creates a token whose secret is printed once and stored only as a digest', async (t) => {
  const { state, store } = await open();
  const result = (await runCommand(state, 'token create', { account: 'alice', tokenName: 'router', domains: 'home.dyn.example.net', subnets: '192.0.2.0/24', expires: '2030-01-01' })) as { id: string; secret: string };
  t.match(result.secret, /^[1-9A-HJ-NP-Za-km-z]{28}$/);
  t.notOk(JSON.stringify(store.doc).includes(result.secret));
  const listed = (await runCommand(state, 'token list', {})) as Record<string, unknown>[];
  t.same(listed.map((x) => [x.id, x.name, x.expires, x.digest]), [[result.id, 'router', '2030-01-01T00:00:00.000Z', undefined]]);
});

t.test('keeps an imported secret and refuses a malformed one', async (t) => {
  const { state } = await open();
  const kept = (await runCommand(state, 'token create', { account: 'alice', secret: 'Old-Provider_Secret.1234' })) as { secret: string };
  t.equal(kept.secret, 'Old-Provider_Secret.1234');
  await t.rejects(runCommand(state, 'token create', { account: 'alice', secret: 'short' }), { code: 'DDNS_ERR_USAGE' });
  await t.rejects(runCommand(state, 'token create', { account: 'alice', secret: 'has space in it 1234567' }), { code: 'DDNS_ERR_USAGE' });
  await t.rejects(runCommand(state, 'token create', { account: 'alice', expires: 'tomorrow' }), { message: /ISO-8601/ });
  await t.rejects(runCommand(state, 'token create', { account: 'nobody' }), { code: 'DDNS_ERR_NOT_FOUND' });
  await t.rejects(runCommand(state, 'token create', { account: 'alice', subnets: '0177.0.0.1' }), { message: /"0177\.0\.0\.1" is not a subnet/ });
  await t.rejects(runCommand(state, 'token create', { account: 'alice', expires: '2030-02-30' }), { message: /ISO-8601/ });
});

t.test('removing a domain also removes its address records, in one commit', async (t) => {
  const { state, store } = await open();
  const zone = state.zones.get('dyn.example.net');
  await state.commit(state.zones.apply([{ name: 'a.home.dyn.example.net', type: RRType.A, ttl: 60, rdata: ['192.0.2.1'] }]));
  const commits = store.commits.length;
  t.same(await runCommand(state, 'domain remove', { name: 'home.dyn.example.net' }), { removed: 'home.dyn.example.net', records: 1 });
  t.equal(store.commits.length, commits + 1);
  t.equal(zone?.get('a.home.dyn.example.net', RRType.A), undefined);
  t.same(await runCommand(state, 'domain list', {}), []);
});

t.test('a failed write undoes the change in memory and reports it', async (t) => {
  const { state, store } = await open();
  const zone = state.zones.get('dyn.example.net');
  const serial = zone?.serial;
  store.failNext = 1;
  await t.rejects(state.commit(state.zones.apply([{ name: 'x.home.dyn.example.net', type: RRType.A, ttl: 60, rdata: ['192.0.2.1'] }])), { code: 'DDNS_ERR_STORE_WRITE' });
  t.equal(zone?.get('x.home.dyn.example.net', RRType.A), undefined);
  t.equal(zone?.serial, serial);
  await runCommand(state, 'account add', { name: 'bob' });
  t.ok(state.directory.account('bob'), 'later writes work again');
  t.ok(store.doc.accounts && 'bob' in (store.doc.accounts as object));
});

t.test('imports a zone file and exports it again; a bad line imports nothing', async (t) => {
  const { state } = await open();
  const text = ['$ORIGIN dyn.example.net.', '@ 3600 IN SOA ns1 h 1 2 3 4 5', '@ IN NS ns1', 'www 300 IN A 192.0.2.80', 'www 300 IN A 192.0.2.81', 'txt IN TXT "hello"'].join('\n');
  t.same(await runCommand(state, 'zone import', { zone: 'dyn.example.net', text }), { rrsets: 2, skipped: 2 });
  const out = ((await runCommand(state, 'zone export', { zone: 'dyn.example.net' })) as { text: string }).text;
  t.match(out, /www\t300\tIN\tA\t192\.0\.2\.80\nwww\t300\tIN\tA\t192\.0\.2\.81/);
  t.match(out, /txt\t3600\tIN\tTXT\t"hello"/);
  await t.rejects(runCommand(state, 'zone import', { zone: 'dyn.example.net', text: 'ok A 192.0.2.1\nbad A 300.1.1.1\nfar.example.org. A 192.0.2.1' }), { message: /nothing imported[\s\S]*line 2[\s\S]*line 3/ });
  t.equal(state.zones.get('dyn.example.net')?.get('ok.dyn.example.net', RRType.A), undefined);
  await t.rejects(runCommand(state, 'zone export', { zone: 'example.org' }), { code: 'DDNS_ERR_NOT_FOUND' });
  await t.rejects(runCommand(state, 'no such', {}), { code: 'DDNS_ERR_USAGE' });
});

t.test('a domain may not cover names whose addresses the configuration sets', async (t) => {
  const { state } = await open();
  await t.rejects(runCommand(state, 'domain add', { name: 'ns1.dyn.example.net', account: 'alice' }), { code: 'DDNS_ERR_CONFLICT', message: /ns1\.dyn\.example\.net, whose addresses come from the configuration/ });
});

t.test('record remove deletes an imported record set and nothing configured', async (t) => {
  const { state } = await open();
  await runCommand(state, 'zone import', { zone: 'dyn.example.net', text: 'alias IN CNAME ns1\n' });
  t.same(await runCommand(state, 'record remove', { name: 'alias.dyn.example.net', type: 'cname' }), { name: 'alias.dyn.example.net', type: 'CNAME' });
  t.equal(state.zones.get('dyn.example.net')?.get('alias.dyn.example.net', RRType.CNAME), undefined);
  await t.rejects(runCommand(state, 'record remove', { name: 'ns1.dyn.example.net', type: 'A' }), { message: /come from the configuration/ });
  await t.rejects(runCommand(state, 'record remove', { name: 'x.dyn.example.net', type: 'BOGUS' }), { message: /unknown record type "BOGUS"/ });
  await t.rejects(runCommand(state, 'zone import', { zone: 'dyn.example.net', text: 'ns1 IN CNAME elsewhere.example.org.\n' }), { message: /CNAME must stand alone/ });
});

t.test('export writes the SOA first', async (t) => {
  const { state } = await open();
  const out = ((await runCommand(state, 'zone export', { zone: 'dyn.example.net' })) as { text: string }).text;
  t.match(out.split('\n')[1], /^@\t3600\tIN\tSOA\t/);
});

t.test('a change with nothing to write waits for the write it rests on, and fails with it', async (t) => {
  const { state, store } = await open();
  const change = (ip: string) => state.zones.apply([{ name: 'x.home.dyn.example.net', type: RRType.A, ttl: 60, rdata: [ip] }]);
  store.failNext = 1;
  const first = state.commit(change('192.0.2.1'));
  const same = state.commit(change('192.0.2.1'));
  t.equal((await Promise.allSettled([first, same])).filter((r) => r.status === 'rejected').length, 2, 'both refused');
  t.equal(state.zones.get('dyn.example.net')?.get('x.home.dyn.example.net', RRType.A), undefined);

  const ok = state.commit(change('192.0.2.2'));
  let settled = false;
  const again = state.commit(change('192.0.2.2')).then(() => (settled = true));
  t.notOk(settled, 'not acknowledged before the write it rests on');
  await Promise.all([ok, again]);
  t.ok(settled);
  t.same((store.doc.zones as Record<string, { rrsets: Record<string, { A: { rdata: string[] } }> }>)['dyn.example.net']?.rrsets['x.home.dyn.example.net']?.A.rdata, ['192.0.2.2']);
});
