import t from 'tap';

import { clientAddress } from '../../src/auth/verify.js';
import { classify, parseStrict } from '../../src/update/address-items.js';
import { readFamily, readOverride, readValue, type Intent } from '../../src/update/addresses.js';
import { parseQuery } from '../../src/update/query.js';

const v4client = clientAddress('192.0.2.99');
const v6client = clientAddress('2001:db8:ffff::99');
const mapped = clientAddress('::ffff:192.0.2.99');

/** An intent in a short, comparable form. */
function show(intent: Intent | undefined): string {
  if (!intent) return 'nothing';
  if (intent.kind === 'replace') return intent.addresses.join(',');
  if (intent.kind === 'prefix') return `prefix ${intent.address.toString()}/${intent.length}`;
  return intent.kind;
}

t.test('parses addresses strictly (update-api.md §4, address validation)', async (t) => {
  const rows: [string, string | undefined][] = [
    ['203.0.113.7', '203.0.113.7'],
    ['10.2.3.4asdf', undefined],
    ['010.1.2.3', undefined],
    ['127.1', undefined],
    ['0x7f.0.0.1', undefined],
    ['1.2.3.4.5', undefined],
    ['256.1.1.1', undefined],
    ['198.51.100.23sub.example.net', undefined],
    ['2001:DB8::A', '2001:db8::a'],
    ['fe80::1%eth0', undefined],
    ['[2001:db8::5]', undefined],
    ['2001:db8::1::2', undefined],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:010.1.2.3', undefined],
    ['::ffff:0102:0304', '1.2.3.4'],
  ];
  for (const [text, expected] of rows) t.equal(parseStrict(text)?.toString(), expected, text);
});

t.test('classifies items: empty, preserve, words, addresses, prefixes', async (t) => {
  t.match(classify(''), { kind: 'empty' });
  t.match(classify('preserve'), { kind: 'preserve' });
  for (const word of ['PRESERVE', 'invalid', '<ipaddr>', 'none', 'auto', '10/8']) t.match(classify(word), { kind: 'word' }, word);
  t.match(classify('0.0.0.0'), { kind: 'invalid', problem: /unspecified/ });
  t.match(classify('::'), { kind: 'invalid', problem: /unspecified/ });
  t.match(classify('::ffff:0.0.0.0'), { kind: 'invalid', problem: /unspecified/ });
  t.match(classify('0.1.2.3'), { kind: 'address', family: 4 });
  t.match(classify('10.0.0.1'), { kind: 'address', family: 4 });
  t.match(classify('127.0.0.1'), { kind: 'address', family: 4 });
  t.match(classify('100.64.0.1'), { kind: 'address', family: 4 });
  t.match(classify('fe80::1'), { kind: 'address', family: 6 });
  t.match(classify('2001:db8:1:2::/64'), { kind: 'prefix', family: 6, length: 64 });
  t.match(classify('203.0.113.0/24'), { kind: 'prefix', family: 4, length: 24 });
  t.match(classify('::ffff:203.0.113.0/120'), { kind: 'prefix', family: 4, length: 24 });
  t.match(classify('203.0.113.0/33'), { kind: 'invalid', what: 'prefix' });
  t.match(classify('2001:db8::/129'), { kind: 'invalid', what: 'prefix' });
  t.match(classify('2001:db8::/x'), { kind: 'invalid', what: 'prefix' });
});

t.test('reads one value for one family (update-api.md §4 steps 1–3)', async (t) => {
  const rows: [string, 4 | 6, string][] = [
    ['203.0.113.7', 4, '203.0.113.7'],
    ['203.0.113.7', 6, 'nothing'],
    ['2001:db8::1', 4, 'nothing'],
    ['::ffff:203.0.113.7', 4, '203.0.113.7'],
    ['::ffff:203.0.113.7', 6, 'nothing'],
    ['2001:db8:1:2::1,203.0.113.7', 4, '203.0.113.7'],
    ['2001:db8:1:2::1,203.0.113.7', 6, '2001:db8:1:2::1'],
    ['203.0.113.7, 203.0.113.8 ,203.0.113.7', 4, '203.0.113.7,203.0.113.8'],
    ['2001:db8::1,2001:DB8:0::1', 6, '2001:db8::1'],
    ['', 4, 'delete'],
    ['', 6, 'delete'],
    ['preserve', 6, 'preserve'],
    ['PRESERVE', 6, 'nothing'],
    ['invalid', 4, 'nothing'],
    ['<ipaddr>', 4, 'nothing'],
    ['none,203.0.113.7', 4, '203.0.113.7'],
    ['203.0.113.7,', 6, 'delete'],
    ['2001:db8:1:2::/64', 6, 'prefix 2001:db8:1:2::/64'],
    ['2001:db8:1:2::/64', 4, 'nothing'],
    ['192.168.1.1', 4, '192.168.1.1'],
  ];
  for (const [value, family, expected] of rows) {
    const reading = readValue(value, family, 'myip');
    t.ok(reading.ok, `${value} for IPv${family} is accepted`);
    if (reading.ok) t.equal(show(reading.intent), expected, `${JSON.stringify(value)} for IPv${family}`);
  }
});

t.test('refuses a value with one plain line naming parameter and value', async (t) => {
  const rows: [string, 4 | 6, RegExp][] = [
    ['10.2.3.4asdf', 4, /^invalid IPv4 address "10\.2\.3\.4asdf" in myip$/],
    ['10.2.3.4asdf', 6, /^invalid IPv6 address "10\.2\.3\.4asdf" in myip$/],
    ['fe80::1%eth0', 6, /^invalid IPv6 address "fe80::1%eth0" in myip$/],
    ['[2001:db8::5]', 6, /"\[2001:db8::5\]"/],
    ['198.51.100.23sub.example.net', 4, /"198\.51\.100\.23sub\.example\.net"/],
    ['0.0.0.0', 4, /^invalid IPv4 address "0\.0\.0\.0" in myip: the unspecified address/],
    ['::', 6, /^invalid IPv6 address "::" in myip: the unspecified address/],
    ['0.0.0.0,2001:db8::1', 6, /"0\.0\.0\.0"/],
    ['203.0.113.7,', 4, /^cannot mix an empty item and addresses in myip "203\.0\.113\.7,"$/],
    ['preserve,203.0.113.7', 4, /^cannot mix "preserve" and addresses in myip/],
    [',preserve', 4, /^cannot mix an empty item and "preserve"/],
    ['2001:db8::/64,2001:db8:1::/64', 6, /^more than one prefix in myip/],
    ['2001:db8::/64,2001:db8::1', 6, /^cannot mix a prefix and addresses/],
    ['1.2.3.0/33', 6, /^invalid prefix "1\.2\.3\.0\/33" in myip: the length does not fit IPv4$/],
    ['a\r\nb.c', 4, /^invalid IPv4 address "a\\u000d\\u000ab\.c" in myip$/],
  ];
  for (const [value, family, message] of rows) t.match(readValue(value, family, 'myip'), { ok: false, message }, JSON.stringify(value));
});

t.test('tries the parameters in order per family and falls back to the client address', async (t) => {
  const rows: [string, typeof v4client, string, string][] = [
    ['myip=203.0.113.7', v4client, '203.0.113.7', 'delete'],
    ['myip=203.0.113.7', v6client, '203.0.113.7', '2001:db8:ffff::99'],
    ['myipv4=203.0.113.7&myip=203.0.113.8', v4client, '203.0.113.8', 'delete'],
    ['myipv4=2001:db8::1&ip=203.0.113.9', v4client, '203.0.113.9', 'delete'],
    ['ipv6=2001:db8::2&myip=2001:db8::3', v4client, '192.0.2.99', '2001:db8::2'],
    ['myipv6=2001:db8::4&ipv6=2001:db8::5', v4client, '192.0.2.99', '2001:db8::4'],
    ['ip=2001:db8::6', v4client, '192.0.2.99', '2001:db8::6'],
    ['', v4client, '192.0.2.99', 'delete'],
    ['', mapped, '192.0.2.99', 'delete'],
    ['', v6client, 'delete', '2001:db8:ffff::99'],
    ['myipv6=preserve', v4client, '192.0.2.99', 'preserve'],
    ['myipv4=&myipv6=preserve', v4client, 'delete', 'preserve'],
    ['myip=', v4client, 'delete', 'delete'],
    ['myipv4=invalid', v4client, '192.0.2.99', 'delete'],
    ['system=dyndns&wildcard=ON&mx=x&backmx=NO&offline=NO', v4client, '192.0.2.99', 'delete'],
  ];
  for (const [query, client, a, aaaa] of rows) {
    const q = parseQuery(query);
    const [four, six] = [readFamily(q, 4, client), readFamily(q, 6, client)];
    t.same([four.ok && show(four.intent), six.ok && show(six.intent)], [a, aaaa], `${query} from ${client.toString()}`);
  }
});

t.test('reads a parameter that is tried, and only those, for errors', async (t) => {
  t.match(readFamily(parseQuery('myipv4=1.2.3.4&ip=garbage.'), 4, v4client), { ok: true });
  t.match(readFamily(parseQuery('myipv4=1.2.3.4&ip=garbage.'), 6, v4client), { ok: false, message: /"garbage\." in ip/ });
});

t.test('makes an override that yields nothing mean preserve, with no client fallback', async (t) => {
  const rows: [string, 4 | 6, string][] = [
    ['2001:db8:cccc:dd00::/64', 6, 'prefix 2001:db8:cccc:dd00::/64'],
    ['203.0.113.7', 6, 'preserve'],
    ['invalid', 4, 'preserve'],
    ['', 4, 'delete'],
    ['203.0.113.7', 4, '203.0.113.7'],
  ];
  for (const [value, family, expected] of rows) {
    const reading = readOverride(value, family, 'myipv6:nas');
    t.equal(reading.ok && show(reading.intent), expected, `${value} for IPv${family}`);
  }
  t.match(readOverride('1.2.3', 4, 'myipv4:nas.home.example.net'), { ok: false, message: /in myipv4:nas\.home\.example\.net$/ });
});
