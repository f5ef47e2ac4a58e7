/**
 * The DNS server on real sockets: UDP and TCP, IPv4 and IPv6, answers read
 * by dns2's parser, Node's resolver and dig; TCP framing, pipelining,
 * partial reads, idle timeout and back pressure; an update seen by the very
 * next query. The TCP connection limits have their own file,
 * dns-tcp-limits.test.ts.
 */
import { Resolver } from 'node:dns/promises';
import net from 'node:net';

import t from 'tap';

import { RRType } from '../../src/zone/records.js';
import { buildQuery, decode, dig, framed, hasCommand, startServer, tcpExchange, udpExchange } from '../helpers/dns-client.js';
import { fixtureZones } from '../helpers/dns-fixture.js';

const zones = fixtureZones();
const { server, v4, v6 } = await startServer(zones);
t.teardown(() => server.close());

const query = (name: string, type: number, id = 1): Buffer => buildQuery({ name, type, id });

t.test('binds UDP and TCP on the same port for each address', async (t) => {
  const { udp, tcp } = server.addresses();
  t.same(udp.map((a) => a.address), ['127.0.0.1', '::1']);
  t.same(tcp.map((a) => a.port), udp.map((a) => a.port));
  t.ok(v4 > 0 && v6 > 0);
});

for (const [family, host, port] of [['IPv4', '127.0.0.1', v4], ['IPv6', '::1', v6]] as const) {
  t.test(`answers over UDP on ${family}`, async (t) => {
    const reply = await udpExchange(host, port, query('host.example.test', RRType.A, 11));
    const packet = decode(reply!);
    t.equal(packet.header.id, 11);
    t.equal(packet.header.aa, 1);
    t.equal(packet.answers[0]?.address, '192.0.2.20');
  });

  t.test(`answers over TCP on ${family}`, async (t) => {
    const { replies } = await tcpExchange(host, port, framed(query('host.example.test', RRType.AAAA, 12)), 1);
    t.equal(decode(replies[0]!).answers[0]?.address, '2001:db8::20');
  });
}

t.test('answers pipelined TCP queries in order on one connection', async (t) => {
  const names = ['host', 'mail', 'ns1', 'ns2', 'exists.home'];
  const bytes = Buffer.concat(names.map((n, i) => framed(query(`${n}.example.test`, RRType.A, 100 + i))));
  const { replies } = await tcpExchange('127.0.0.1', v4, bytes, names.length);
  t.same(replies.map((r) => decode(r).header.id), [100, 101, 102, 103, 104]);
});

t.test('collects TCP queries that arrive a few bytes at a time', async (t) => {
  const bytes = Buffer.concat([framed(query('host.example.test', RRType.A, 7)), framed(query('mail.example.test', RRType.A, 8))]);
  const { replies } = await tcpExchange('127.0.0.1', v4, bytes, 2, { pieces: bytes.length / 3 });
  t.same(replies.map((r) => decode(r).answers[0]?.address), ['192.0.2.20', '192.0.2.10']);
});

t.test('sends the full answer over TCP that UDP truncates', async (t) => {
  const udp = decode((await udpExchange('127.0.0.1', v4, query('many.example.test', RRType.A)))!);
  t.equal(udp.header.tc, 1);
  const { replies } = await tcpExchange('127.0.0.1', v4, framed(query('many.example.test', RRType.A)), 1);
  t.equal(decode(replies[0]!).answers.length, 80);
});

t.test("reads answers with Node's resolver", async (t) => {
  for (const server of [`127.0.0.1:${v4}`, `[::1]:${v6}`]) {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([server]);
    t.same(await resolver.resolve4('host.example.test'), ['192.0.2.20'], `A via ${server}`);
    t.same(await resolver.resolve6('host.example.test'), ['2001:db8::20']);
    t.same(await resolver.resolve4('laptop.home.example.test'), ['198.51.100.7'], 'wildcard');
    t.same(await resolver.resolve4('www.example.test'), ['192.0.2.20'], 'through a CNAME');
    t.same(await resolver.resolveTxt('big.example.test'), [['x'.repeat(255), 'x'.repeat(45) + 'y'.repeat(100)]]);
    t.same(await resolver.resolveMx('example.test'), [{ exchange: 'mail.example.test', priority: 10 }]);
    t.same((await resolver.resolveNs('example.test')).sort(), ['ns.outside.test', 'ns1.example.test', 'ns2.example.test']);
    t.match(await resolver.resolveSoa('example.test'), { nsname: 'ns1.example.test', hostmaster: 'hostmaster.example.test', serial: 2024010101, minttl: 60 });
    await t.rejects(resolver.resolve4('nothing.example.test'), { code: 'ENOTFOUND' }, 'NXDOMAIN');
    await t.rejects(resolver.resolve4('b.c.example.test'), { code: 'ENODATA' }, 'NODATA');
  }
});

/** Status, flags and records from dig's output. */
function readDig(output: string): { status: string; flags: string[]; records: string[] } {
  const status = /status: (\w+)/.exec(output)?.[1] ?? '';
  const flags = (/flags: ([\w ]*);/.exec(output)?.[1] ?? '').split(' ').filter(Boolean);
  const records = output.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')).map((l) => l.split(/\s+/).join(' '));
  return { status, flags, records };
}

t.test('answers dig over UDP and TCP, with and without EDNS', async (t) => {
  if (!(await hasCommand('dig'))) return t.plan(0, 'dig is not installed (Debian package bind9-dnsutils)');

  const base = ['-p', String(v4), '@127.0.0.1', '+norec', '+noall', '+comments', '+answer', '+authority', '+additional'];
  const plain = readDig(await dig([...base, 'Host.Example.Test', 'A']));
  t.equal(plain.status, 'NOERROR');
  t.same(plain.flags, ['qr', 'aa']);
  t.same(plain.records, ['Host.Example.Test. 300 IN A 192.0.2.20']);

  const tcp = readDig(await dig([...base, '+tcp', 'many.example.test', 'A']));
  t.equal(tcp.records.length, 80);

  const noedns = readDig(await dig([...base, '+noedns', '+ignore', 'many.example.test', 'A']));
  t.same(noedns.flags, ['qr', 'aa', 'tc']);
  t.match(await dig([...base, '+noedns', 'example.test', 'SOA']), /^(?!.*OPT PSEUDOSECTION)/s);

  const nx = readDig(await dig([...base, 'nothing.example.test', 'A']));
  t.equal(nx.status, 'NXDOMAIN');
  t.same(nx.records, ['example.test. 60 IN SOA ns1.example.test. hostmaster.example.test. 2024010101 3600 600 604800 60']);

  const small = await dig([...base, '+bufsize=512', '+ignore', 'many.example.test', 'A']);
  t.match(small, /flags: qr aa tc;/);
  t.match(small, /udp: 1232/);

  const v6 = readDig(await dig(['-p', String(server.addresses().udp[1]?.port), '@::1', '+norec', '+short', 'ns1.example.test', 'AAAA']));
  t.same(v6.records, ['2001:db8::1']);

  const badvers = await dig([...base, '+edns=1', '+noednsneg', 'example.test', 'SOA']);
  t.match(badvers, /status: BADVERS/);
});

t.test('answers the next query with an update applied in between', async (t) => {
  const before = decode((await udpExchange('127.0.0.1', v4, query('fresh.example.test', RRType.A)))!);
  t.equal(before.header.rcode, 3);
  zones.apply([{ name: 'fresh.example.test', type: RRType.A, ttl: 60, rdata: ['203.0.113.9'] }]);
  const after = decode((await udpExchange('127.0.0.1', v4, query('fresh.example.test', RRType.A)))!);
  t.equal(after.header.rcode, 0);
  t.equal(after.answers[0]?.address, '203.0.113.9');
  const soa = decode((await udpExchange('127.0.0.1', v4, query('example.test', RRType.SOA)))!);
  t.equal(soa.answers[0]?.serial, 2024010102);
});

t.test('closes an idle TCP connection after the idle timeout', async (t) => {
  const { server: quick, v4: port } = await startServer(zones, { tcp: { idleTimeoutMs: 200 } });
  t.teardown(() => quick.close());
  const started = Date.now();
  const { closed } = await tcpExchange('127.0.0.1', port, Buffer.alloc(0), 1, { timeoutMs: 3000 });
  t.ok(closed, 'the server closed it');
  t.ok(Date.now() - started < 2000);
});

/** Opens a connection that never reads and writes `count` queries for a large answer. */
async function flood(port: number, count: number): Promise<net.Socket> {
  const socket = await connect(port);
  socket.pause();
  const one = framed(query('many.example.test', RRType.A));
  socket.write(Buffer.concat(Array.from({ length: count }, () => one)));
  return socket;
}

t.test('stops reading from a client that does not read, until the idle timeout closes it', async (t) => {
  const { server: bounded, v4: port } = await startServer(zones, { tcp: { idleTimeoutMs: 1500 } });
  t.teardown(() => bounded.close());
  const sent = 40_000;
  const socket = await flood(port, sent);
  t.teardown(() => socket.destroy());

  const answered = await settle(() => bounded.stats().answered);
  t.ok(answered < sent / 4, `answered ${answered} of ${sent} before the client read anything`);
  const other = await tcpExchange('127.0.0.1', port, framed(query('host.example.test', RRType.A)), 1);
  t.equal(other.replies.length, 1, 'other clients are still served');
  await until(() => bounded.stats().tcpConnections === 0, 5000);
  t.equal(bounded.stats().tcpConnections, 0, 'the stalled connection was closed');
});

t.test('closes a connection whose unsent answers pass the queue cap', async (t) => {
  const { server: capped, v4: port } = await startServer(zones, { tcp: { maxQueuedBytes: 1000, idleTimeoutMs: 30_000 } });
  t.teardown(() => capped.close());
  const socket = await flood(port, 40_000);
  t.teardown(() => socket.destroy());

  await until(() => capped.stats().tcpConnections === 0, 5000);
  t.equal(capped.stats().tcpConnections, 0);
  const other = await tcpExchange('127.0.0.1', port, framed(query('host.example.test', RRType.A)), 1);
  t.equal(other.replies.length, 1, 'other clients are still served');
});

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Polls a counter until it stops moving (at most 5 s). */
async function settle(read: () => number): Promise<number> {
  let last = -1;
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = read();
    if (now === last && now > 0) return now;
    last = now;
  }
  return last;
}

/** Polls until a condition holds or the time is up. */
async function until(ok: () => boolean, timeoutMs: number): Promise<void> {
  for (const start = Date.now(); !ok() && Date.now() - start < timeoutMs; ) await new Promise((r) => setTimeout(r, 50));
}
