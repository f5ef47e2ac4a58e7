/**
 * Broken input never hurts the server: a generated corpus of malformed
 * messages over UDP and TCP gets FORMERR or silence, good queries are still
 * answered afterwards, and a bounded random mutation run ends with no fault.
 */
import dgram from 'node:dgram';

import t, { type Test } from 'tap';

import { bindUdp, closeUdp } from '../../src/dns/udp.js';
import { silentLogger } from '../../src/log.js';
import { RRType } from '../../src/zone/records.js';
import { buildQuery, decode, framed, optRecord, startServer, tcpExchange, udpExchange, wireName } from '../helpers/dns-client.js';
import { fixtureZones } from '../helpers/dns-fixture.js';

const { server, v4 } = await startServer(fixtureZones());
t.teardown(() => server.close());

const ID = 0x5151;
const good = buildQuery({ name: 'host.example.test', type: RRType.A, id: ID });
const question = Buffer.concat([wireName('host.example.test'), Buffer.from([0, 1, 0, 1])]);
const opt = optRecord({});

function header(counts: [number, number, number, number], flags = 0): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(ID, 0);
  h.writeUInt16BE(flags, 2);
  counts.forEach((n, i) => h.writeUInt16BE(n, 4 + 2 * i));
  return h;
}

const label = (n: number): Buffer => Buffer.concat([Buffer.from([n]), Buffer.alloc(n, 0x61)]);
const tail = Buffer.from([0, 1, 0, 1]);

/** Messages the server must answer with FORMERR. */
function formerrCorpus(): [string, Buffer][] {
  const cases: [string, Buffer][] = [];
  for (let end = 12; end < 12 + question.length; end++) cases.push([`a query cut at ${end} bytes`, good.subarray(0, end)]);
  for (const len of [64, 100, 127, 128, 191]) cases.push([`label length byte ${len}`, Buffer.concat([header([1, 0, 0, 0]), label(len).subarray(0, 1), Buffer.alloc(10), tail])]);
  cases.push(['a label longer than the message', Buffer.concat([header([1, 0, 0, 0]), Buffer.from([40, 0x61, 0x62])])]);
  cases.push(['a name of 256 bytes', Buffer.concat([header([1, 0, 0, 0]), ...Array.from({ length: 4 }, () => label(63)), label(3), Buffer.from([0]), tail])]);
  cases.push(['a pointer to itself in the question', Buffer.concat([header([1, 0, 0, 0]), Buffer.from([0xc0, 12]), tail])]);
  cases.push(['a forward pointer in the question', Buffer.concat([header([1, 0, 0, 0]), Buffer.from([0xc0, 40]), tail, Buffer.alloc(30)])]);
  cases.push(['a pointer past the end in the question', Buffer.concat([header([1, 0, 0, 0]), Buffer.from([0xff, 0xff]), tail])]);
  const loopAt = 12 + question.length;
  cases.push(['a compression loop in additional', Buffer.concat([header([1, 0, 0, 1]), question, Buffer.from([0xc0, loopAt]), opt.subarray(1)])]);
  cases.push(['two pointers to each other', Buffer.concat([header([1, 0, 0, 2]), question, Buffer.from([0xc0, loopAt + 2, 0xc0, loopAt]), opt.subarray(1)])]);
  cases.push(['a forward pointer in additional', Buffer.concat([header([1, 0, 0, 1]), question, Buffer.from([0xc0, 0xff]), opt.subarray(1)])]);
  cases.push(['QDCOUNT 65535', Buffer.concat([header([65535, 0, 0, 0]), question])]);
  cases.push(['ANCOUNT 65535', Buffer.concat([header([1, 65535, 0, 0]), question])]);
  cases.push(['ARCOUNT 65535', Buffer.concat([header([1, 0, 0, 65535]), question, opt])]);
  cases.push(['QDCOUNT 0', header([0, 0, 0, 0])]);
  cases.push(['QDCOUNT 2', Buffer.concat([header([2, 0, 0, 0]), question, question])]);
  cases.push(['OPT in the answer section', Buffer.concat([header([1, 1, 0, 0]), question, opt])]);
  cases.push(['OPT in the authority section', Buffer.concat([header([1, 0, 1, 0]), question, opt])]);
  cases.push(['two OPT records', Buffer.concat([header([1, 0, 0, 2]), question, opt, opt])]);
  cases.push(['OPT RDATA past the end', Buffer.concat([header([1, 0, 0, 1]), question, opt.subarray(0, 9), Buffer.from([1, 0])])]);
  cases.push(['an EDNS option cut short', Buffer.concat([header([1, 0, 0, 1]), question, optRecord({ options: Buffer.from([0, 8, 0, 20, 1, 2]) })])]);
  return cases;
}

/** Messages the server must ignore. */
function dropCorpus(): [string, Buffer][] {
  const cases: [string, Buffer][] = [];
  for (let end = 0; end < 12; end += 3) cases.push([`a header cut at ${end} bytes`, good.subarray(0, end)]);
  cases.push(['a response (QR set)', Buffer.concat([header([1, 0, 0, 0], 0x8000), question])]);
  return cases;
}

async function stillAnswers(t: Test): Promise<void> {
  const udp = await udpExchange('127.0.0.1', v4, good);
  t.equal(udp && decode(udp).answers[0]?.address, '192.0.2.20', 'a good query over UDP is answered');
  const tcp = await tcpExchange('127.0.0.1', v4, framed(good), 1);
  t.equal(tcp.replies[0] && decode(tcp.replies[0]).answers[0]?.address, '192.0.2.20', 'a good query over TCP is answered');
}

t.test('answers FORMERR with the ID to each malformed message over UDP', async (t) => {
  for (const [what, bytes] of formerrCorpus()) {
    const reply = await udpExchange('127.0.0.1', v4, bytes);
    t.same(reply && [reply.readUInt16BE(0), reply[2]! & 0x80, reply[3]! & 0x0f], [ID, 0x80, 1], what);
  }
  await stillAnswers(t);
});

t.test('ignores messages shorter than a header and responses over UDP', async (t) => {
  for (const [what, bytes] of dropCorpus()) t.equal(await udpExchange('127.0.0.1', v4, bytes, 200), undefined, what);
  await stillAnswers(t);
});

t.test('answers FORMERR in order to malformed messages pipelined over TCP', async (t) => {
  const corpus = formerrCorpus();
  const bytes = Buffer.concat([...corpus.map(([, msg]) => framed(msg)), framed(good)]);
  const { replies } = await tcpExchange('127.0.0.1', v4, bytes, corpus.length + 1);
  t.equal(replies.length, corpus.length + 1);
  t.same(replies.slice(0, -1).map((r) => r[3]! & 0x0f), corpus.map(() => 1));
  t.equal(decode(replies.at(-1)!).answers.length, 1, 'the good query after them is answered');
});

t.test('closes only the TCP connection that sent a message it cannot answer', async (t) => {
  for (const [what, bytes] of dropCorpus()) {
    const { replies, closed } = await tcpExchange('127.0.0.1', v4, Buffer.concat([framed(bytes), framed(good)]), 1);
    t.ok(closed && replies.length === 0, what);
  }
  await stillAnswers(t);
});

t.test('ignores a UDP packet from source port 0', async (t) => {
  // Linux cannot send from port 0, so the packet is handed to the socket as the kernel would.
  let calls = 0;
  const socket = await bindUdp('127.0.0.1', 0, () => (calls++, Buffer.alloc(12)), silentLogger());
  t.teardown(() => closeUdp(socket));
  t.doesNotThrow(() => socket.emit('message', good, { address: '127.0.0.1', family: 'IPv4', port: 0, size: good.length }));
  t.equal(calls, 0);
});

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 4294967296;
  };
}

const seeds = [
  good,
  buildQuery({ name: 'Many.Example.Test', type: RRType.A, edns: { udpSize: 4096, dnssecOk: true } }),
  buildQuery({ name: 'x.home.example.test', type: 255, edns: { options: Buffer.from([0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]) } }),
  buildQuery({ name: 'www.sub.example.test', type: RRType.NS }),
];

/** Messages the server has read so far. */
function received(): number {
  const { answered, dropped, formerr, servfail } = server.stats();
  return answered + dropped + formerr + servfail;
}

function mutate(rnd: () => number): Buffer {
  const base = Buffer.from(seeds[Math.floor(rnd() * seeds.length)]!);
  const edits = 1 + Math.floor(rnd() * 4);
  let msg = base;
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * msg.length);
    const op = Math.floor(rnd() * 5);
    if (op === 0) msg[at] = Math.floor(rnd() * 256);
    else if (op === 1) msg[at] = msg[at]! ^ (1 << Math.floor(rnd() * 8));
    else if (op === 2) msg = msg.subarray(0, at);
    else if (op === 3) msg = Buffer.concat([msg, msg.subarray(at, at + 8)]);
    else if (msg.length >= 12) msg.writeUInt16BE(Math.floor(rnd() * 65536), 4 + 2 * Math.floor(rnd() * 4));
  }
  return msg;
}

t.test('survives 100,000 randomly mutated queries over UDP with no fault', async (t) => {
  const rnd = random(0xd15ea5e);
  const socket = dgram.createSocket('udp4');
  let replies = 0;
  socket.on('message', () => replies++);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => socket.close());

  const before = received();
  const deadline = Date.now() + 60_000;
  let sent = 0;
  for (; sent < 100_000 && Date.now() < deadline; sent += 200) {
    for (let i = 0; i < 200; i++) socket.send(mutate(rnd), v4, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 4));
  }
  await new Promise((r) => setTimeout(r, 200));
  const seen = received() - before;
  t.ok(sent >= 20_000, `sent ${sent} mutated queries`);
  t.ok(seen >= sent / 2, `the server read ${seen} of them and answered ${replies}`);
  t.equal(server.stats().servfail, 0, 'no query made the handler fail');
  await stillAnswers(t);
});

t.test('survives randomly mutated queries pipelined over TCP', async (t) => {
  const rnd = random(0xfeed);
  for (let round = 0; round < 20; round++) {
    const msgs = Array.from({ length: 200 }, () => mutate(rnd));
    await tcpExchange('127.0.0.1', v4, Buffer.concat(msgs.map(framed)), msgs.length, { timeoutMs: 2000 });
  }
  t.equal(server.stats().servfail, 0);
  await stillAnswers(t);
});
