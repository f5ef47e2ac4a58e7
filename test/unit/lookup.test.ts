/**
 * The lookup decision, row by row over the fixture zone: each row gives the
 * question and the expected kind and sections in zone-file text.
 */
import t from 'tap';

import { lookup, QTYPE_ANY, type LookupKind } from '../../src/zone/lookup.js';
import { typeCode } from '../../src/zone/records.js';
import { entryLines, fixtureZones, zoneLines } from '../helpers/dns-fixture.js';

interface Row {
  should: string;
  qname: string;
  qtype: string;
  kind: LookupKind;
  answer?: string[];
  authority?: string[];
  additional?: string[];
  /** Expected wildcard flags of the answer entries, in order. */
  wildcard?: boolean[];
}

const SOA_NEG = '@ 60 IN SOA ns1 hostmaster 2024010101 3600 600 604800 60';
const A_HOST = 'host 300 IN A 192.0.2.20';

const rows: Row[] = [
  { should: 'refuses a name outside every zone', qname: 'example.org', qtype: 'A', kind: 'refused' },
  { should: 'refuses the parent of a zone', qname: 'test', qtype: 'SOA', kind: 'refused' },
  { should: 'refuses the root', qname: '', qtype: 'NS', kind: 'refused' },
  { should: 'answers A at an existing name', qname: 'host.example.test', qtype: 'A', kind: 'answer', answer: [A_HOST] },
  { should: 'answers AAAA at an existing name', qname: 'host.example.test', qtype: 'AAAA', kind: 'answer', answer: ['host 300 IN AAAA 2001:db8::20'] },
  { should: 'answers TXT at an existing name', qname: 'host.example.test', qtype: 'TXT', kind: 'answer', answer: ['host 300 IN TXT "hello world"'] },
  { should: 'answers the SOA at the apex', qname: 'example.test', qtype: 'SOA', kind: 'answer', answer: ['@ 3600 IN SOA ns1 hostmaster 2024010101 3600 600 604800 60'] },
  {
    should: 'answers apex NS with in-zone glue in additional',
    qname: 'example.test',
    qtype: 'NS',
    kind: 'answer',
    answer: ['@ 3600 IN NS ns1', '@ 3600 IN NS ns2', '@ 3600 IN NS ns.outside.test.'],
    additional: ['ns1 3600 IN A 192.0.2.1', 'ns1 3600 IN AAAA 2001:db8::1', 'ns2 3600 IN A 192.0.2.2'],
  },
  { should: 'answers MX without additional records', qname: 'example.test', qtype: 'MX', kind: 'answer', answer: ['@ 300 IN MX 10 mail'] },
  { should: 'answers SRV without additional records', qname: '_sip._tcp.example.test', qtype: 'SRV', kind: 'answer', answer: ['_sip._tcp 300 IN SRV 10 5 5060 host'] },
  { should: 'answers CAA at the apex', qname: 'example.test', qtype: 'CAA', kind: 'answer', answer: ['@ 300 IN CAA 0 issue "letsencrypt.org"'] },
  { should: 'answers PTR', qname: 'ptr.example.test', qtype: 'PTR', kind: 'answer', answer: ['ptr 300 IN PTR host'] },
  { should: 'answers NODATA with the negative SOA for a missing type', qname: 'host.example.test', qtype: 'MX', kind: 'nodata', authority: [SOA_NEG] },
  { should: 'answers NODATA for a type we do not know', qname: 'example.test', qtype: 'TYPE99', kind: 'nodata', authority: [SOA_NEG] },
  { should: 'answers NODATA at an empty non-terminal', qname: 'b.c.example.test', qtype: 'A', kind: 'nodata', authority: [SOA_NEG] },
  { should: 'answers NODATA at a higher empty non-terminal', qname: 'c.example.test', qtype: 'A', kind: 'nodata', authority: [SOA_NEG] },
  { should: 'answers NXDOMAIN with the negative SOA', qname: 'nothing.example.test', qtype: 'A', kind: 'nxdomain', authority: [SOA_NEG] },
  { should: 'answers NXDOMAIN below an existing leaf', qname: 'x.host.example.test', qtype: 'A', kind: 'nxdomain', authority: [SOA_NEG] },
  { should: 'answers NXDOMAIN below a CNAME', qname: 'x.www.example.test', qtype: 'A', kind: 'nxdomain', authority: [SOA_NEG] },
  { should: 'follows a CNAME to its target in the zone', qname: 'www.example.test', qtype: 'A', kind: 'answer', answer: ['www 300 IN CNAME host', A_HOST] },
  { should: 'answers the CNAME itself when CNAME is asked', qname: 'www.example.test', qtype: 'CNAME', kind: 'answer', answer: ['www 300 IN CNAME host'] },
  {
    should: 'follows a chain of CNAMEs',
    qname: 'chain1.example.test',
    qtype: 'A',
    kind: 'answer',
    answer: ['chain1 300 IN CNAME chain2', 'chain2 300 IN CNAME chain3', 'chain3 300 IN CNAME host', A_HOST],
  },
  {
    should: 'answers NXDOMAIN with the CNAME when the chain ends at no name (RFC 6604)',
    qname: 'dangling.example.test',
    qtype: 'A',
    kind: 'nxdomain',
    answer: ['dangling 300 IN CNAME nothere'],
    authority: [SOA_NEG],
  },
  {
    should: 'answers NODATA with the CNAME when the target lacks the type',
    qname: 'tonodata.example.test',
    qtype: 'AAAA',
    kind: 'nodata',
    answer: ['tonodata 300 IN CNAME ns2'],
    authority: [SOA_NEG],
  },
  {
    should: 'answers NODATA with the CNAME when the target is an empty non-terminal',
    qname: 'toent.example.test',
    qtype: 'A',
    kind: 'nodata',
    answer: ['toent 300 IN CNAME c'],
    authority: [SOA_NEG],
  },
  { should: 'stops a CNAME loop once every link is in the answer', qname: 'loop1.example.test', qtype: 'A', kind: 'answer', answer: ['loop1 300 IN CNAME loop2', 'loop2 300 IN CNAME loop1'] },
  { should: 'stops a CNAME that points at itself', qname: 'self.example.test', qtype: 'A', kind: 'answer', answer: ['self 300 IN CNAME self'] },
  { should: 'stops at a CNAME that leaves the zone', qname: 'out.example.test', qtype: 'A', kind: 'answer', answer: ['out 300 IN CNAME www.outside.test.'] },
  {
    should: 'follows a CNAME into a wildcard with the target as owner',
    qname: 'towild.example.test',
    qtype: 'A',
    kind: 'answer',
    answer: ['towild 300 IN CNAME x.home', 'x.home 60 IN A 198.51.100.7'],
    wildcard: [false, true],
  },
  { should: 'synthesises from a wildcard with the name asked as owner', qname: 'laptop.home.example.test', qtype: 'A', kind: 'answer', answer: ['laptop.home 60 IN A 198.51.100.7'], wildcard: [true] },
  { should: 'synthesises from a wildcard several labels down', qname: 'a.b.home.example.test', qtype: 'AAAA', kind: 'answer', answer: ['a.b.home 60 IN AAAA 2001:db8::7'], wildcard: [true] },
  { should: 'answers NODATA from a wildcard without the type', qname: 'laptop.home.example.test', qtype: 'TXT', kind: 'nodata', authority: [SOA_NEG] },
  { should: 'lets an existing name win over the wildcard', qname: 'exists.home.example.test', qtype: 'A', kind: 'answer', answer: ['exists.home 60 IN A 198.51.100.8'], wildcard: [false] },
  { should: 'answers NODATA at an existing name the wildcard would cover', qname: 'exists.home.example.test', qtype: 'AAAA', kind: 'nodata', authority: [SOA_NEG] },
  { should: 'blocks the wildcard at an empty non-terminal', qname: 'ent.home.example.test', qtype: 'A', kind: 'nodata', authority: [SOA_NEG] },
  { should: 'answers NXDOMAIN below an empty non-terminal that blocks the wildcard', qname: 'x.ent.home.example.test', qtype: 'A', kind: 'nxdomain', authority: [SOA_NEG] },
  { should: 'answers the wildcard owner itself as a plain name', qname: '*.home.example.test', qtype: 'A', kind: 'answer', answer: ['*.home 60 IN A 198.51.100.7'], wildcard: [false] },
  {
    should: 'follows a wildcard CNAME',
    qname: 'any.wcname.example.test',
    qtype: 'A',
    kind: 'answer',
    answer: ['any.wcname 300 IN CNAME host', A_HOST],
    wildcard: [true, false],
  },
  { should: 'answers NODATA where the wildcard is an empty non-terminal', qname: 'y.emptywild.example.test', qtype: 'A', kind: 'nodata', authority: [SOA_NEG] },
  { should: 'answers ANY with one RRset, A first (RFC 8482)', qname: 'host.example.test', qtype: 'ANY', kind: 'answer', answer: [A_HOST] },
  { should: 'answers ANY with the first preferred RRset in zone order', qname: 'anypref.example.test', qtype: 'ANY', kind: 'answer', answer: ['anypref 300 IN AAAA 2001:db8::99'] },
  { should: 'answers ANY with the last RRset when none is preferred', qname: 'anyother.example.test', qtype: 'ANY', kind: 'answer', answer: ['anyother 300 IN CAA 0 issue "ca.example"'] },
  { should: 'answers ANY at the apex with the SOA, which leads the apex as in the exported file', qname: 'example.test', qtype: 'ANY', kind: 'answer', answer: ['@ 3600 IN SOA ns1 hostmaster 2024010101 3600 600 604800 60'] },
  { should: 'answers ANY at a CNAME with the CNAME only', qname: 'www.example.test', qtype: 'ANY', kind: 'answer', answer: ['www 300 IN CNAME host'] },
  { should: 'answers ANY from a wildcard', qname: 'pc.home.example.test', qtype: 'ANY', kind: 'answer', answer: ['pc.home 60 IN A 198.51.100.7'], wildcard: [true] },
  { should: 'answers ANY at an empty non-terminal with NODATA', qname: 'c.example.test', qtype: 'ANY', kind: 'nodata', authority: [SOA_NEG] },
  { should: 'answers ANY at a missing name with NXDOMAIN', qname: 'gone.example.test', qtype: 'ANY', kind: 'nxdomain', authority: [SOA_NEG] },
  { should: 'keeps a TXT over 255 bytes as several strings', qname: 'big.example.test', qtype: 'TXT', kind: 'answer', answer: [`big 300 IN TXT "${'x'.repeat(255)}" "${'x'.repeat(45)}${'y'.repeat(100)}"`] },
  {
    should: 'refers a name below a zone cut with the NS and glue',
    qname: 'host.sub.example.test',
    qtype: 'A',
    kind: 'referral',
    authority: ['sub 300 IN NS ns.sub', 'sub 300 IN NS ns.outside.test.'],
    additional: ['ns.sub 300 IN A 192.0.2.53'],
  },
  {
    should: 'refers the cut itself, even for NS',
    qname: 'sub.example.test',
    qtype: 'NS',
    kind: 'referral',
    authority: ['sub 300 IN NS ns.sub', 'sub 300 IN NS ns.outside.test.'],
    additional: ['ns.sub 300 IN A 192.0.2.53'],
  },
  { should: 'answers DS at a cut from the parent side', qname: 'sub.example.test', qtype: 'TYPE43', kind: 'nodata', authority: [SOA_NEG] },
];

const zones = fixtureZones();

function code(type: string): number {
  if (type === 'ANY') return QTYPE_ANY;
  return typeCode(type) ?? Number(type.replace(/^TYPE/, ''));
}

for (const row of rows) {
  t.test(row.should, async (t) => {
    const result = lookup(zones, row.qname, code(row.qtype));
    t.equal(result.kind, row.kind, 'kind');
    t.same(entryLines(result.answer), zoneLines(row.answer ?? []), 'answer');
    t.same(entryLines(result.authority), zoneLines(row.authority ?? []), 'authority');
    t.same(entryLines(result.additional), zoneLines(row.additional ?? []), 'additional');
    if (row.wildcard) t.same(result.answer.map((e) => e.wildcard), row.wildcard, 'wildcard flags');
  });
}

t.test('stops a long CNAME chain at the chain limit', async (t) => {
  const result = lookup(zones, 'chain1.example.test', code('A'), { maxChain: 2 });
  t.equal(result.kind, 'answer');
  t.same(entryLines(result.answer), zoneLines(['chain1 300 IN CNAME chain2', 'chain2 300 IN CNAME chain3']));
});

t.test('sees an update at the next lookup', async (t) => {
  const fresh = fixtureZones();
  fresh.apply([{ name: 'new.home.example.test', type: code('A'), ttl: 60, rdata: ['203.0.113.5'] }]);
  const result = lookup(fresh, 'new.home.example.test', code('A'));
  t.same(entryLines(result.answer), zoneLines(['new.home 60 IN A 203.0.113.5']));
  t.same(result.answer.map((e) => e.wildcard), [false]);
  const soa = lookup(fresh, 'example.test', code('SOA'));
  t.match(soa.answer[0]?.rrset.rdata[0], / 2024010102 /, 'the serial went up once');
});

t.test('keeps the negative SOA in step with the serial', async (t) => {
  const fresh = fixtureZones();
  const before = lookup(fresh, 'nothing.example.test', code('A')).authority[0]?.rrset;
  fresh.apply([{ name: 'host.example.test', type: code('A'), ttl: 300, rdata: ['192.0.2.21'] }]);
  const after = lookup(fresh, 'nothing.example.test', code('A')).authority[0]?.rrset;
  t.not(before, after);
  t.match(after?.rdata[0], / 2024010102 /);
  t.equal(after?.ttl, 60);
});
