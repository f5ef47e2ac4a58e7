/**
 * Load and crash: 1,000 concurrent updates of different names of one
 * account are each answered `good` and each served by the DNS server; and
 * after a server process is killed with SIGKILL right after its last
 * answer, its data files load and serve every acknowledged address.
 */
import ipaddr from 'ipaddr.js';
import t from 'tap';

import { RRType } from '../../src/zone/records.js';
import { runCli, serve, tempSetup, type Served } from '../helpers/cli.js';
import { startTestApp } from '../helpers/app.js';
import { buildQuery, decode, udpExchange } from '../helpers/dns-client.js';
import { rawRequest } from '../helpers/update-http.js';

const COUNT = 1000;
const LIMIT = { update: { rateLimit: { perDomain: { requests: COUNT * 2, windowSeconds: 60 } } } };

const v4 = (i: number) => `10.${Math.floor(i / 256)}.${i % 256}.1`;
const v6 = (i: number) => ipaddr.IPv6.parse(`2001:db8::${i.toString(16)}`).toRFC5952String();

/** Sends COUNT updates at once, one connection each; resolves with every answer. */
function updateAll(port: number, secret: string, domain: string) {
  return Promise.all(
    Array.from({ length: COUNT }, (_, i) =>
      rawRequest({
        host: '127.0.0.1',
        port,
        target: `/nic/update?hostname=h${i}.${domain}&myip=${v4(i)},${v6(i)}`,
        headers: { Authorization: `Token ${secret}`, Connection: 'close' },
        timeoutMs: 60_000,
      }).catch((err: Error) => ({ status: 0, body: err.message })),
    ),
  );
}

/** The A and AAAA the DNS server on 127.0.0.1:`port` answers for one name. */
async function servedPair(port: number, name: string): Promise<string> {
  const out: string[] = [];
  for (const type of [RRType.A, RRType.AAAA]) {
    const reply = await udpExchange('127.0.0.1', port, buildQuery({ name, type }), 3000);
    const answers = reply ? (decode(reply).answers as unknown as { type: number; address: string }[]) : [];
    const addresses = answers.filter((a) => a.type === type).map((a) => ipaddr.parse(a.address));
    out.push(addresses.map((a) => (a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toRFC5952String() : a.toString())).join(','));
  }
  return out.join(' ');
}

/** Every name the DNS server does not answer with its address pair, in batches of 50. */
async function missing(port: number, domain: string): Promise<number[]> {
  const wrong: number[] = [];
  for (let start = 0; start < COUNT; start += 50) {
    const batch = Array.from({ length: Math.min(50, COUNT - start) }, (_, k) => start + k);
    const got = await Promise.all(batch.map((i) => servedPair(port, `h${i}.${domain}`)));
    batch.forEach((i, k) => {
      if (got[k] !== `${v4(i)} ${v6(i)}`) wrong.push(i);
    });
  }
  return wrong;
}

t.test('answers 1,000 concurrent updates of one account, each good and each served', async (t) => {
  const app = await startTestApp(t, LIMIT);
  const secret = await app.account('alice', ['load.example.net']);
  const serial = app.app.state.zones.get('example.net')?.serial ?? 0;

  const answers = await updateAll(app.httpPort, secret, 'load.example.net');
  const good = answers.filter((a) => a.status === 200 && a.body === 'good').length;
  t.equal(good, COUNT, `every update answered good (others: ${JSON.stringify(answers.find((a) => a.body !== 'good'))})`);
  t.equal(app.app.state.zones.get('example.net')?.serial, serial + COUNT, 'one serial step per changing request');
  t.same(await missing(app.dnsPort, 'load.example.net'), [], 'every acknowledged address is served');
});

t.test('after SIGKILL right after the last answer, the data files load with every acknowledged update', async (t) => {
  const setup = tempSetup(LIMIT);
  t.teardown(setup.cleanup);
  const cli = (args: string[]) => runCli([...args, '--config', setup.config]);
  t.equal((await cli(['account', 'add', 'alice'])).code, 0);
  t.equal((await cli(['domain', 'add', 'load.dyn.example.net', '--account', 'alice'])).code, 0);
  const created = await cli(['token', 'create', '--account', 'alice']);
  const secret = created.stdout.trim().split('\n').pop() ?? '';
  t.match(secret, /^[1-9A-HJ-NP-Za-km-z]{20,}$/, 'the command line printed a secret');

  const children: Served[] = [];
  t.teardown(() => children.forEach((c) => c.child.exitCode === null && c.child.kill('SIGKILL')));
  const first = await serve(setup.config);
  children.push(first);
  const answers = await updateAll(first.httpPort, secret, 'load.dyn.example.net');
  first.child.kill('SIGKILL');
  t.equal(await first.exited, null, 'killed, not exited');
  t.equal(answers.filter((a) => a.status === 200 && a.body === 'good').length, COUNT, 'every update was acknowledged');

  const second = await serve(setup.config);
  children.push(second);
  t.same(await missing(second.dnsPort, 'load.dyn.example.net'), [], 'every acknowledged address is served after the restart');
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0, 'the restarted server stops cleanly');
});
