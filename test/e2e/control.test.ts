import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';

import { ControlServer, controlPath, controlRequest } from '../../src/control.js';
import { silentLogger } from '../../src/log.js';
import { State } from '../../src/state.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { fixtureZone } from '../helpers/zone-fixture.js';

async function start(t: Test): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-control-'));
  const state = await State.open([fixtureZone()], new MemoryStore(), silentLogger());
  const server = new ControlServer(dir, state, silentLogger());
  await server.start();
  t.teardown(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

function raw(dir: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlPath(dir));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    socket.end(text);
  });
}

t.test('the socket is owner-only and runs commands', async (t) => {
  const dir = await start(t);
  t.equal(statSync(controlPath(dir)).mode & 0o777, 0o600);
  t.same(await controlRequest(dir, 'account add', { name: 'alice' }), { ok: true, result: { account: 'alice' } });
  t.match(await controlRequest(dir, 'account add', { name: 'alice' }), { ok: false, code: 'DDNS_ERR_CONFLICT' });
});

t.test('odd requests get a usage error and the server keeps serving', async (t) => {
  const dir = await start(t);
  for (const text of ['not json', 'null', '[]', '{"command":"constructor"}', '{"command":"toString"}', '{"command":"account add","args":{"name":5}}', '{"command":"account add","args":[1]}', '{"command":1}']) {
    t.match(JSON.parse(await raw(dir, text)), { ok: false, code: 'DDNS_ERR_USAGE' }, text);
  }
  t.match(await controlRequest(dir, 'account list', {}), { ok: true, result: [] });
});
