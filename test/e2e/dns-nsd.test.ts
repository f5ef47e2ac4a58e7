/**
 * Differential test against NSD: the fixture zone is exported with
 * formatZone, served by NSD and by us, and a few hundred questions go to
 * both. RCODE, flags, OPT and the records of every section (as sets) must
 * agree, except where noted in ALLOWED below.
 *
 * NSD runs with `minimal-responses: yes`: without it NSD adds the apex NS
 * RRset to the authority section of every positive answer, and A/AAAA of
 * MX and SRV targets to additional. Both are optional (RFC 1034 §4.3.2
 * step 6, RFC 2181 §9 leaves additional data to the server), and we leave
 * them out to keep answers small.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import t from 'tap';

import { formatZone } from '../../src/zone/zonefile.js';
import { buildQuery, decode, framed, hasCommand, startServer, tcpExchange, udpExchange, wireName, type QuerySpec } from '../helpers/dns-client.js';
import { APEX, fixtureZones } from '../helpers/dns-fixture.js';
import { startNsd } from '../helpers/dns-nsd.js';

/**
 * Differences the RFCs allow, each checked by a rule:
 * - TC: when both servers set TC the records are not compared; a client
 *   discards a truncated answer and asks again over TCP (RFC 2181 §9,
 *   RFC 7766 §5). We send the question and OPT only; NSD may keep whole
 *   RRsets that fit.
 */
const ALLOWED = ['both truncated: records not compared'];

const NAMES = [
  '@', 'ns1', 'ns2', 'mail', 'host', 'www', 'chain1', 'chain3', 'dangling', 'loop1', 'self', 'out', 'tonodata',
  'towild', 'toent', 'laptop.home', 'a.b.home', 'exists.home', 'ent.home', 'deep.ent.home', 'x.ent.home',
  '*.home', 'any.wcname', 'y.emptywild', '*.emptywild', 'x.*.emptywild', 'a.b.c', 'b.c', 'c', '_sip._tcp',
  '_tcp', 'ptr', 'anypref', 'anyother', 'mapped', 'big', 'many', 'nothing', 'x.host', 'x.www', 'sub', 'www.sub', 'ns.sub',
  'example.org.', 'test.',
];
const TYPES = [1, 28, 16, 15, 2, 6, 5, 33, 12, 257, 255, 99, 43];

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  spec: QuerySpec;
  tcp: boolean;
  label: string;
}

function cases(seed: number): Case[] {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const mixCase = (name: string): string => [...name].map((c) => (rnd() < 0.5 ? c.toUpperCase() : c)).join('');
  const ednsChoices: (QuerySpec['edns'] | undefined)[] = [undefined, { udpSize: 1232 }, { udpSize: 4096, dnssecOk: true }, { udpSize: 512 }];
  return NAMES.flatMap((rel) =>
    TYPES.map((type) => {
      const name = mixCase(rel === '@' ? APEX : rel.endsWith('.') ? rel : `${rel}.${APEX}`);
      const edns = pick(ednsChoices);
      const spec: QuerySpec = { name, type, id: Math.floor(rnd() * 65536), flags: rnd() < 0.5 ? 0x0100 : 0, ...(edns ? { edns } : {}) };
      const tcp = rnd() < 0.2;
      return { spec, tcp, label: `${name} type ${type} ${tcp ? 'TCP' : 'UDP'} ${edns ? `EDNS ${edns.udpSize}${edns.dnssecOk ? ' DO' : ''}` : 'no EDNS'}` };
    }),
  );
}

/** Records as comparable strings: owner lower-cased, type, TTL, RDATA fields. */
function records(list: readonly object[]): string[] {
  return list
    .map((r) => {
      const { name, type, class: _class, ttl, ...rdata } = r as Record<string, unknown>;
      const text = JSON.stringify(rdata);
      return `${String(name).toLowerCase()} ${String(type)} ${String(ttl)} ${type === 16 || type === 257 ? text : text.toLowerCase()}`;
    })
    .sort();
}

/** What we compare of a response. */
function view(msg: Buffer, query: Buffer, questionLength: number): Record<string, unknown> {
  const p = decode(msg);
  const opt = p.additionals.find((r) => r.type === 41);
  const h = p.header;
  const truncated = h.tc === 1;
  return {
    id: h.id,
    rcode: h.rcode,
    flags: { aa: h.aa, tc: h.tc, rd: h.rd, ra: h.ra },
    question: msg.subarray(12, 12 + questionLength).equals(query.subarray(12, 12 + questionLength)),
    opt: opt ? { size: opt.class, do: opt.doFlag, ext: (opt.ttl ?? 0) >>> 24 } : null,
    answer: truncated ? ALLOWED[0] : records(p.answers),
    authority: truncated ? ALLOWED[0] : records(p.authorities),
    additional: truncated ? ALLOWED[0] : records(p.additionals.filter((r) => r.type !== 41)),
  };
}

async function ask(port: number, c: Case): Promise<Buffer | undefined> {
  const query = buildQuery(c.spec);
  if (!c.tcp) return udpExchange('127.0.0.1', port, query, 2000);
  const { replies } = await tcpExchange('127.0.0.1', port, framed(query), 1);
  return replies[0];
}

if (!(await hasCommand('nsd'))) {
  t.plan(0, 'nsd is not installed (Debian package nsd); the differential test needs it');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-nsd-'));
  const zones = fixtureZones();
  const nsd = await startNsd(dir, APEX, formatZone(zones.get(APEX)!));
  const ours = await startServer(zones);
  t.teardown(async () => {
    await nsd.stop();
    await ours.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  t.test('answers like NSD for every question of the corpus', async (t) => {
    const corpus = cases(20240101);
    let differences = 0;
    for (const c of corpus) {
      const [mine, theirs] = await Promise.all([ask(ours.v4, c), ask(nsd.port, c)]);
      if (!mine || !theirs) {
        t.fail(`${c.label}: no answer from ${mine ? 'NSD' : 'us'}`);
        continue;
      }
      const query = buildQuery(c.spec);
      const length = wireName(c.spec.name).length + 4;
      const same = t.same(view(mine, query, length), view(theirs, query, length), c.label, { diagnostic: false });
      if (!same) differences++;
    }
    t.equal(differences, 0, `${corpus.length} questions, ${differences} differences`);
  });
}
