import t from 'tap';
import dns2 from 'dns2';

import { canonicalName, isValidName, nameToWire, relativeName } from '../../src/zone/names.js';
import { isStrictIPv4, parseRdata, RRType, typeCode, typeName } from '../../src/zone/records.js';
import { formatZone, parseRecordLine, parseZoneFile } from '../../src/zone/zonefile.js';
import { makeRRset, Zone } from '../../src/zone/zone.js';

const SOA = { mname: 'ns1.example.net', rname: 'h.example.net', refresh: 1, retry: 2, expire: 3, minimum: 4, ttl: 5 };

t.test('canonical names are lower case without a trailing dot', async (t) => {
  t.equal(canonicalName('Home.Dyn.Example.NET.'), 'home.dyn.example.net');
  t.equal(canonicalName('a.b'), 'a.b');
  t.ok(isValidName('a-b_c.example'));
  t.ok(isValidName('*.home.example', true));
  t.notOk(isValidName('*.home.example'));
  t.notOk(isValidName('a..b'));
  t.notOk(isValidName('-a.b'));
  t.notOk(isValidName('a'.repeat(64) + '.b'));
  t.notOk(isValidName('sp ace.b'));
  t.equal(relativeName('www.example.net', 'example.net'), 'www');
  t.equal(relativeName('example.net', 'example.net'), '@');
  t.equal(relativeName('other.org', 'example.net'), 'other.org.');
  t.same([...nameToWire('ab.c')], [2, 97, 98, 1, 99, 0]);
});

t.test('strict IPv4 refuses leading zeros and short forms', async (t) => {
  t.ok(isStrictIPv4('203.0.113.7'));
  t.ok(isStrictIPv4('0.0.0.0'));
  for (const bad of ['010.1.2.3', '127.1', '0x7f.0.0.1', '1.2.3.4.5', '256.1.1.1', '1.2.3.04']) t.notOk(isStrictIPv4(bad), bad);
});

t.test('encodes every supported type as an independent decoder reads it', async (t) => {
  const rows: [string, string, (rec: Record<string, unknown>) => void][] = [
    ['A', '203.0.113.7', (r) => t.equal(r.address, '203.0.113.7')],
    ['AAAA', '2001:DB8:0:0:0:0:0:1', (r) => t.match(String(r.address), /^2001:db8:0*:0*:0*:0*:0*:0*1$|^2001:db8::1$/)],
    ['CNAME', 'target', (r) => t.equal(r.domain, 'target.example.net')],
    ['NS', 'ns1.example.org.', (r) => t.equal(r.ns, 'ns1.example.org')],
    ['MX', '10 mail', (r) => t.same([r.priority, r.exchange], [10, 'mail.example.net'])],
    ['SRV', '1 2 443 srv', (r) => t.same([r.priority, r.weight, r.port, r.target], [1, 2, 443, 'srv.example.net'])],
    ['TXT', '"hello world" "two"', (r) => t.same(r.data, ['hello world', 'two'])],
  ];
  for (const [type, text, check] of rows) {
    const code = typeCode(type) as number;
    const rrset = makeRRset(code, 300, [parseRdata(code, text, 'example.net')]);
    const packet = Buffer.concat([Buffer.from([0, 1, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]), nameToWire('x.example.net'), rrset.wire[0] as Buffer]);
    const decoded = dns2.Packet.parse(packet) as unknown as { answers: Record<string, unknown>[] };
    t.equal(decoded.answers[0]?.type, code, type);
    t.equal(decoded.answers[0]?.ttl, 300);
    check(decoded.answers[0] as Record<string, unknown>);
  }
});

t.test('splits a TXT string over 255 bytes into several character-strings', async (t) => {
  const long = 'x'.repeat(300);
  const rdata = parseRdata(RRType.TXT, `"${long}"`, 'example.net');
  t.equal(rdata.wire[0], 255);
  t.equal(rdata.wire[256], 45);
  t.equal(rdata.wire.length, 302);
  t.equal(rdata.text, `"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
});

t.test('canonicalises IPv6 to RFC 5952 and refuses zone ids', async (t) => {
  t.equal(parseRdata(RRType.AAAA, '2001:0DB8:0000:0000:0000:0000:0000:0001', '').text, '2001:db8::1');
  t.throws(() => parseRdata(RRType.AAAA, 'fe80::1%eth0', ''), { code: 'DDNS_ERR_RECORD_SYNTAX' });
  t.throws(() => parseRdata(RRType.A, '10.2.3.4asdf', ''), { message: /invalid IPv4/ });
  t.throws(() => parseRdata(RRType.MX, 'ten mail', ''), { message: /MX preference/ });
  t.throws(() => parseRdata(RRType.CAA, '0 is-sue "x"', ''), { message: /CAA: invalid tag/ });
  t.throws(() => parseRdata(999, 'x', ''), { message: /unsupported record type TYPE999/ });
  t.equal(typeName(RRType.CAA), 'CAA');
});

t.test('reads record lines with optional TTL and class in either order', async (t) => {
  const a = parseRecordLine('www 300 IN A 192.0.2.1', 'example.net', 3600);
  t.same([a.name, a.type, a.ttl, a.rdata.text], ['www.example.net', RRType.A, 300, '192.0.2.1']);
  const b = parseRecordLine('@ IN 60 TXT "a b" ; comment', 'example.net', 3600);
  t.same([b.name, b.ttl, b.rdata.text], ['example.net', 60, '"a b"']);
  const c = parseRecordLine('mail.example.org. MX 5 mx', 'example.net', 3600);
  t.same([c.name, c.ttl, c.rdata.text], ['mail.example.org', 3600, '5 mx.example.net.']);
  t.throws(() => parseRecordLine('www IN BOGUS x', 'example.net', 1), { message: /unsupported record type "BOGUS"/ });
  t.throws(() => parseRecordLine('www 300', 'example.net', 1), { message: /missing record type/ });
});

t.test('reads whole zone files with $ORIGIN, $TTL, parentheses and errors per line', async (t) => {
  const text = [
    '$ORIGIN example.net.',
    '$TTL 120',
    '@ IN SOA ns1 h ( 1 2 3',
    '   4 5 )',
    'www A 192.0.2.1',
    '    AAAA 2001:db8::1',
    'bad A 999.1.1.1',
    '$TTL ten',
  ].join('\n');
  const results = parseZoneFile(text, 'example.net');
  const ok = results.filter((r) => 'record' in r);
  t.equal(ok.length, 3);
  t.same(results.filter((r) => 'error' in r).map((r) => r.line), [7, 8]);
  const aaaa = ok[2] as { record: { name: string; ttl: number } };
  t.same([aaaa.record.name, aaaa.record.ttl], ['www.example.net', 120]);
});

t.test('export writes every record and reads back the same', async (t) => {
  const zone = new Zone('example.net', SOA, 7);
  zone.set('www.example.net', makeRRset(RRType.A, 60, [parseRdata(RRType.A, '192.0.2.1', '')]));
  zone.set('example.net', makeRRset(RRType.TXT, 60, [parseRdata(RRType.TXT, '"v=spf1 -all"', '')]));
  const text = formatZone(zone);
  t.match(text, /^\$ORIGIN example\.net\.\n/);
  t.match(text, /www\t60\tIN\tA\t192\.0\.2\.1/);
  const back = parseZoneFile(text, 'example.net').map((r) => ('record' in r ? r.record.rdata.text : r.error));
  t.same(back.sort(), ['"v=spf1 -all"', '192.0.2.1']);
});

t.test('empty non-terminals exist until the last name below them goes', async (t) => {
  const zone = new Zone('example.net', SOA, 1);
  const rr = makeRRset(RRType.A, 60, [parseRdata(RRType.A, '192.0.2.1', '')]);
  zone.set('a.b.c.example.net', rr);
  t.ok(zone.exists('b.c.example.net'));
  t.ok(zone.exists('c.example.net'));
  t.notOk(zone.exists('x.example.net'));
  zone.set('d.c.example.net', rr);
  zone.delete('a.b.c.example.net', RRType.A);
  t.notOk(zone.exists('b.c.example.net'));
  t.ok(zone.exists('c.example.net'));
  zone.delete('d.c.example.net', RRType.A);
  t.notOk(zone.exists('c.example.net'));
  t.equal(zone.negativeTtl, 4);
});

t.test('keeps characters outside the BMP whole in TXT data', async (t) => {
  const rdata = parseRdata(RRType.TXT, '"😀 é"', '');
  t.same([...rdata.wire], [7, 0xf0, 0x9f, 0x98, 0x80, 0x20, 0xc3, 0xa9]);
  t.equal(parseRdata(RRType.TXT, rdata.text, '').wire.toString('hex'), rdata.wire.toString('hex'), 'the presentation form reads back the same bytes');
});

t.test('refuses unterminated quotes, oversized data and bad owner names', async (t) => {
  t.throws(() => parseRdata(RRType.TXT, '"abc', ''), { message: /unterminated or misplaced quote/ });
  t.throws(() => parseRdata(RRType.TXT, 'a"b', ''), { message: /misplaced quote/ });
  t.throws(() => parseRdata(RRType.TXT, `"${'x'.repeat(70000)}"`, ''), { message: /at most 65535 fit/ });
  t.throws(() => parseRecordLine('a..b A 192.0.2.1', 'example.net', 60), { message: /invalid owner name "a\.\.b"/ });
  t.throws(() => parseRecordLine(`${'l'.repeat(70)} A 192.0.2.1`, 'example.net', 60), { message: /invalid owner name/ });
  t.throws(() => parseRecordLine('hé A 192.0.2.1', 'example.net', 60), { message: /invalid owner name/ });
  t.equal(parseRecordLine('*.home A 192.0.2.1', 'example.net', 60).name, '*.home.example.net');
  t.equal(parseRecordLine('_acme-challenge TXT "x"', 'example.net', 60).name, '_acme-challenge.example.net');
});

t.test('knows whether a zone has cuts below its apex', async (t) => {
  const zone = new Zone('example.net', SOA, 1);
  const ns = makeRRset(RRType.NS, 60, [parseRdata(RRType.NS, 'ns.example.org.', '')]);
  zone.set('example.net', ns);
  t.notOk(zone.hasCuts, 'apex NS is not a cut');
  zone.set('sub.example.net', ns);
  zone.set('sub.example.net', ns);
  t.ok(zone.hasCuts);
  zone.delete('sub.example.net', RRType.NS);
  t.notOk(zone.hasCuts, 'replacing and then deleting counts once');
});
