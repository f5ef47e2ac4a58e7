import t from 'tap';

import { silentLogger } from '../../src/log.js';
import { State } from '../../src/state.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { fixtureZone } from '../helpers/zone-fixture.js';

const Z = 'dyn.example.net';

t.test('stored data of the wrong shape is refused as corrupt, never crashes', async (t) => {
  const rows: [string, Record<string, unknown>][] = [
    ['null record sets', { zones: { [Z]: { rrsets: { [`x.${Z}`]: null } } } }],
    ['null record set', { zones: { [Z]: { rrsets: { [`x.${Z}`]: { A: null } } } } }],
    ['negative TTL', { zones: { [Z]: { rrsets: { [`x.${Z}`]: { A: { ttl: -5, rdata: ['192.0.2.1'] } } } } } }],
    ['rdata not a list', { zones: { [Z]: { rrsets: { [`x.${Z}`]: { A: { ttl: 5, rdata: '192.0.2.1' } } } } } }],
    ['fractional serial', { zones: { [Z]: { serial: 4294967295.5 } } }],
    ['zone not an object', { zones: { [Z]: 7 } }],
    ['zones a list', { zones: [] }],
    ['accounts a list', { accounts: [] }],
    ['token without digest', { tokens: { t1: { account: 'a' } } }],
    ['domain without account', { domains: { [`x.${Z}`]: {} } }],
    ['record outside the zone', { zones: { [Z]: { rrsets: { 'x.example.org': { A: { ttl: 5, rdata: ['192.0.2.1'] } } } } } }],
  ];
  for (const [what, doc] of rows) {
    await t.rejects(State.open([fixtureZone()], new MemoryStore(doc as never), silentLogger()), { code: 'DDNS_ERR_STORE_CORRUPT', message: /stored[\s\S]*restore a backup/ }, what);
  }
});

t.test('a well-formed document loads', async (t) => {
  const doc = { zones: { [Z]: { serial: 7, rrsets: { [`x.${Z}`]: { A: { ttl: 5, rdata: ['192.0.2.1'] } } } } }, accounts: { a: { created: 'x' } } };
  const state = await State.open([fixtureZone()], new MemoryStore(doc), silentLogger());
  t.equal(state.zones.get(Z)?.serial, 7);
  t.ok(state.directory.account('a'));
});
