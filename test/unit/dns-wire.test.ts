/**
 * Reading queries and writing answers, byte by byte: the question echo,
 * compression, truncation, EDNS(0), BADVERS, the header rules and long TXT
 * strings. Answers are also decoded by dns2 as an independent check.
 */
import { Writable } from 'node:stream';

import t from 'tap';

import { createStats, handleMessage, type HandlerContext } from '../../src/dns/handler.js';
import { readQuery } from '../../src/dns/wire.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { RRType } from '../../src/zone/records.js';
import type { ZoneSet } from '../../src/zone/zones.js';
import { buildQuery, decode, optRecord, wireName, type QuerySpec } from '../helpers/dns-client.js';
import { fixtureZones } from '../helpers/dns-fixture.js';

const ctx: HandlerContext = { zones: fixtureZones(), logger: silentLogger(), stats: createStats() };

function ask(spec: QuerySpec, transport: 'udp' | 'tcp' = 'udp'): Buffer {
  const reply = handleMessage(ctx, buildQuery(spec), transport);
  if (!reply) throw new Error('no reply');
  return reply;
}

function counts(msg: Buffer): number[] {
  return [4, 6, 8, 10].map((at) => msg.readUInt16BE(at));
}

t.test('reads the header, a lower-cased QNAME, QTYPE and QCLASS', async (t) => {
  const read = readQuery(buildQuery({ name: 'HoSt.Example.TEST', type: RRType.AAAA, id: 77, flags: 0x0100 }));
  t.equal(read.kind, 'query');
  if (read.kind !== 'query') return;
  t.match(read.query, { id: 77, qname: 'host.example.test', qtype: 28, qclass: 1, rd: true, opcode: 0, edns: undefined });
  t.equal(read.query.questionEnd, 12 + 19 + 4);
});

t.test('reads the OPT record: version, DO and UDP size', async (t) => {
  const read = readQuery(buildQuery({ name: 'example.test', type: 6, edns: { udpSize: 4096, dnssecOk: true, version: 0 } }));
  t.same(read.kind === 'query' && read.query.edns, { udpSize: 4096, dnssecOk: true, version: 0 });
});

t.test('echoes the question byte for byte, 0x20 case kept', async (t) => {
  const query = buildQuery({ name: 'hOsT.eXaMpLe.TeSt', type: RRType.A, id: 0xbeef, flags: 0x0100 });
  const reply = ask({ name: 'hOsT.eXaMpLe.TeSt', type: RRType.A, id: 0xbeef, flags: 0x0100 });
  t.same(reply.subarray(12, query.length), query.subarray(12));
  t.equal(reply.readUInt16BE(0), 0xbeef);
  t.equal(reply.readUInt16BE(2), 0x8000 | 0x0400 | 0x0100, 'QR, AA and RD set; RA, TC clear; NOERROR');
  t.same(counts(reply), [1, 1, 0, 0]);
  t.equal(reply.readUInt16BE(query.length), 0xc00c, 'the owner is a pointer to the question');
  t.equal(decode(reply).answers[0]?.address, '192.0.2.20');
});

t.test('compresses owners that are suffixes of the question or written before', async (t) => {
  const reply = ask({ name: 'Example.Test', type: RRType.NS });
  const packet = decode(reply);
  t.equal(packet.answers.length, 3);
  t.same(packet.additionals.map((r) => r.name).sort(), ['ns1.Example.Test', 'ns1.Example.Test', 'ns2.Example.Test'], 'the apex part keeps the case of the question');
  const glueAt = reply.indexOf(Buffer.from([3, ...Buffer.from('ns1'), 0xc0, 12]));
  t.ok(glueAt > 0, 'the first glue owner is "ns1" then a pointer to the apex in the question');
  t.ok(reply.includes(Buffer.from([0xc0, glueAt, 0, RRType.AAAA])), 'the second glue owner points to the first');
  t.ok(reply.length < 200, `the answer is compact (${reply.length} bytes)`);
});

t.test('sets TC with the question and no records when UDP without EDNS overflows 512 bytes', async (t) => {
  const reply = ask({ name: 'many.example.test', type: RRType.A });
  t.equal(reply[2]! & 0x02, 0x02, 'TC');
  t.same(counts(reply), [1, 0, 0, 0]);
  t.ok(reply.length <= 512);
});

t.test('sets TC and keeps OPT when the answer passes the EDNS size', async (t) => {
  const reply = ask({ name: 'many.example.test', type: RRType.A, edns: { udpSize: 4096 } });
  t.equal(reply[2]! & 0x02, 0x02);
  t.same(counts(reply), [1, 0, 0, 1]);
  t.equal(decode(reply).additionals[0]?.type, 41);
});

t.test('sends the whole answer over TCP', async (t) => {
  const reply = ask({ name: 'many.example.test', type: RRType.A }, 'tcp');
  t.equal(reply[2]! & 0x02, 0);
  t.equal(decode(reply).answers.length, 80);
});

t.test('uses at least 512 bytes when the client offers less', async (t) => {
  const reply = ask({ name: 'big.example.test', type: RRType.TXT, edns: { udpSize: 100 } });
  t.equal(reply[2]! & 0x02, 0, 'a 470-byte answer fits');
  t.ok(reply.length > 400 && reply.length <= 512);
});

t.test('answers with OPT of size 1232 and DO copied', async (t) => {
  const withDo = decode(ask({ name: 'example.test', type: RRType.SOA, edns: { udpSize: 4096, dnssecOk: true } }));
  const opt = withDo.additionals.find((r) => r.type === 41);
  t.equal(opt?.class, 1232);
  t.equal(opt?.doFlag, true);
  const withoutDo = decode(ask({ name: 'example.test', type: RRType.SOA, edns: {} }));
  t.equal(withoutDo.additionals.find((r) => r.type === 41)?.doFlag, false);
});

t.test('sends no OPT when the query had none', async (t) => {
  const reply = ask({ name: 'example.test', type: RRType.SOA });
  t.equal(reply.readUInt16BE(10), 0);
});

t.test('ignores unknown EDNS options', async (t) => {
  const option = Buffer.from([0xfe, 0xed, 0, 3, 1, 2, 3]);
  const reply = ask({ name: 'host.example.test', type: RRType.A, edns: { options: option } });
  t.equal(reply[3]! & 0x0f, 0);
  t.equal(decode(reply).answers.length, 1);
});

t.test('answers BADVERS through the extended RCODE for EDNS version 1', async (t) => {
  const reply = ask({ name: 'host.example.test', type: RRType.A, edns: { version: 1 } });
  t.equal(reply[3]! & 0x0f, 0, 'the header RCODE is the low bits of 16');
  const packet = decode(reply);
  t.equal(packet.header.rcode, 16);
  t.equal(packet.answers.length, 0);
  const opt = packet.additionals.find((r) => r.type === 41);
  t.equal(opt?.ttl! >>> 24, 1, 'extended RCODE 1 in the OPT TTL');
});

t.test('writes a TXT over 255 bytes as several character-strings', async (t) => {
  const reply = ask({ name: 'big.example.test', type: RRType.TXT }, 'tcp');
  const rdata = reply.subarray(reply.length - (1 + 255 + 1 + 145));
  t.equal(rdata[0], 255);
  t.equal(rdata[256], 145);
  t.same(decode(reply).answers[0]?.data, ['x'.repeat(255), 'x'.repeat(45) + 'y'.repeat(100)]);
});

t.test('keeps a v4-mapped AAAA as sixteen bytes', async (t) => {
  const reply = ask({ name: 'mapped.example.test', type: RRType.AAAA });
  t.same([...reply.subarray(reply.length - 16)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
});

t.test('answers REFUSED without AA outside our zones', async (t) => {
  const reply = ask({ name: 'example.org', type: RRType.A, flags: 0x0100 });
  t.equal(reply.readUInt16BE(2), 0x8000 | 0x0100 | 5);
  t.same(counts(reply), [1, 0, 0, 0]);
});

t.test('answers REFUSED for a class other than IN', async (t) => {
  const reply = ask({ name: 'example.test', type: RRType.SOA, cls: 3 });
  t.equal(reply[3]! & 0x0f, 5);
});

t.test('answers REFUSED to a zone transfer request', async (t) => {
  t.equal(ask({ name: 'example.test', type: 252 }, 'tcp')[3]! & 0x0f, 5);
});

t.test('answers NOTIMP for an opcode other than QUERY, keeping the opcode', async (t) => {
  const reply = ask({ name: 'example.test', type: RRType.SOA, flags: 2 << 11 });
  t.equal(reply[3]! & 0x0f, 4);
  t.equal((reply.readUInt16BE(2) >> 11) & 0xf, 2);
});

t.test('answers NXDOMAIN with AA and the SOA in authority', async (t) => {
  const packet = decode(ask({ name: 'nothing.example.test', type: RRType.A }));
  t.equal(packet.header.rcode, 3);
  t.equal(packet.header.aa, 1);
  t.equal(packet.authorities[0]?.ttl, 60);
});

t.test('answers a referral without AA', async (t) => {
  const packet = decode(ask({ name: 'www.sub.example.test', type: RRType.A }));
  t.equal(packet.header.aa, 0);
  t.equal(packet.authorities.length, 2);
  t.equal(packet.additionals[0]?.address, '192.0.2.53');
});

function reads(bytes: Buffer): string {
  return readQuery(bytes).kind;
}

function header(qd: number, an = 0, ns = 0, ar = 0, flags = 0): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0x4242, 0);
  h.writeUInt16BE(flags, 2);
  [qd, an, ns, ar].forEach((n, i) => h.writeUInt16BE(n, 4 + 2 * i));
  return h;
}

const question = Buffer.concat([wireName('host.example.test'), Buffer.from([0, 1, 0, 1])]);

t.test('drops messages shorter than a header and messages with QR set', async (t) => {
  t.equal(reads(Buffer.alloc(11)), 'drop');
  t.equal(reads(Buffer.concat([header(1, 0, 0, 0, 0x8000), question])), 'drop');
});

t.test('answers FORMERR for malformed questions and sections', async (t) => {
  const label64 = Buffer.concat([Buffer.from([64]), Buffer.alloc(64, 0x61), Buffer.from([0, 0, 1, 0, 1])]);
  const long = Buffer.concat([...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])), Buffer.from([0, 0, 1, 0, 1])]);
  const pointer = Buffer.from([0xc0, 12, 0, 1, 0, 1]);
  const opt = optRecord({});
  const cases: [string, Buffer][] = [
    ['QDCOUNT 0', header(0)],
    ['QDCOUNT 2', Buffer.concat([header(2), question, question])],
    ['a question cut short', Buffer.concat([header(1), question.subarray(0, 10)])],
    ['no QTYPE', Buffer.concat([header(1), wireName('host.example.test')])],
    ['a label of 64 bytes', Buffer.concat([header(1), label64])],
    ['a name over 255 bytes', Buffer.concat([header(1), long])],
    ['a pointer in the question', Buffer.concat([header(1), pointer])],
    ['a record in answer', Buffer.concat([header(1, 1), question, opt])],
    ['OPT in authority', Buffer.concat([header(1, 0, 1), question, opt])],
    ['two OPT records', Buffer.concat([header(1, 0, 0, 2), question, opt, opt])],
    ['OPT with a non-root owner', Buffer.concat([header(1, 0, 0, 1), question, Buffer.from([1, 0x61]), opt])],
    ['more additional records than sent', Buffer.concat([header(1, 0, 0, 3), question, opt])],
    ['RDATA past the end', Buffer.concat([header(1, 0, 0, 1), question, opt.subarray(0, 9), Buffer.from([0, 9])])],
    ['a bad EDNS option length', Buffer.concat([header(1, 0, 0, 1), question, optRecord({ options: Buffer.from([0, 10, 0, 9, 1]) })])],
    ['a compression loop in additional', Buffer.concat([header(1, 0, 0, 1), question, Buffer.from([0xc0, 12 + question.length]), opt.subarray(1)])],
    ['a forward pointer in additional', Buffer.concat([header(1, 0, 0, 1), question, Buffer.from([0xc0, 200]), opt.subarray(1)])],
    ['TC set in a query', Buffer.concat([header(1, 0, 0, 0, 0x0200), question])],
  ];
  for (const [what, bytes] of cases) {
    t.equal(reads(bytes), 'formerr', what);
    const reply = handleMessage(ctx, bytes, 'udp');
    t.equal(reply?.readUInt16BE(0), 0x4242, `${what}: ID kept`);
    t.equal(reply && reply[3]! & 0x0f, 1, `${what}: FORMERR`);
  }
});

t.test('reads a compressed name in additional that points back into the question', async (t) => {
  const opt = optRecord({});
  const bytes = Buffer.concat([header(1, 0, 0, 2), question, Buffer.from([0xc0, 12]), Buffer.from([0, 16, 0, 1, 0, 0, 0, 0, 0, 0]), opt]);
  t.equal(reads(bytes), 'query');
});

t.test('answers SERVFAIL and logs one error line when answering throws', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  const broken = { find: () => { throw new Error('zone store exploded'); } } as unknown as ZoneSet;
  const failing: HandlerContext = { zones: broken, logger: createLogger('info', sink), stats: createStats() };
  const reply = handleMessage(failing, buildQuery({ name: 'host.example.test', type: 1, id: 9 }), 'udp');
  t.equal(reply?.readUInt16BE(0), 9);
  t.equal(reply && reply[3]! & 0x0f, 2);
  await new Promise((r) => setImmediate(r));
  t.equal(lines.length, 1);
  t.match(JSON.parse(lines[0] ?? '{}'), { level: 50, msg: /SERVFAIL/ });
  t.equal(failing.stats.servfail, 1);
});
