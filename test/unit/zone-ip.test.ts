import t from 'tap';

import { parseIP, parseIPv6, parseSubnet, unmap } from '../../src/zone/ip.js';
import { parseRdata, RRType } from '../../src/zone/records.js';
import { buildConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { classify } from '../../src/update/address-items.js';

const text = (a: ReturnType<typeof parseIP>) => (a === undefined ? undefined : a.kind() === 'ipv4' ? a.toString() : (a as ReturnType<typeof parseIPv6> & object).toRFC5952String());

t.test('reads the IPv4-compatible form as IPv6, not as IPv4-mapped', async (t) => {
  t.equal(text(parseIPv6('::1.2.3.4')), '::102:304');
  t.equal(text(parseIPv6('::ffff:1.2.3.4')), '::ffff:102:304');
  t.equal(text(unmap(parseIPv6('::ffff:1.2.3.4')!)), '1.2.3.4');
  t.equal(text(unmap(parseIPv6('::1.2.3.4')!)), '::102:304');
  t.equal(parseRdata(RRType.AAAA, '::1.2.3.4', '').text, '::102:304');
  t.match(classify('::1.2.3.4'), { kind: 'address', family: 6 });
  t.match(classify('::ffff:1.2.3.4'), { kind: 'address', family: 4 });
});

t.test('refuses lenient and decorated forms', async (t) => {
  for (const bad of ['010.1.2.3', '127.1', '0x7f.0.0.1', '0177.0.0.1', 'fe80::1%eth0', '[2001:db8::1]', '::ffff:01.2.3.4', '::1.2.3', '1.2.3.4.5', '']) {
    t.equal(parseIP(bad), undefined, bad);
  }
});

t.test('parses subnets strictly and reads mapped ones as IPv4', async (t) => {
  t.same(parseSubnet('192.0.2.0/24')?.map(String), ['192.0.2.0', '24']);
  t.same(parseSubnet('2001:db8::/32')?.map(String), ['2001:db8::', '32']);
  t.same(parseSubnet('192.0.2.7')?.map(String), ['192.0.2.7', '32']);
  t.same(parseSubnet('::ffff:127.0.0.1')?.map(String), ['127.0.0.1', '32']);
  t.same(parseSubnet('::ffff:10.0.0.0/104')?.map(String), ['10.0.0.0', '8']);
  for (const bad of ['0177.0.0.1', '010.0.0.0/8', '127.1/32', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/x', '::ffff:10.0.0.0/64']) {
    t.equal(parseSubnet(bad), undefined, bad);
  }
});

t.test('trusted proxies and token subnets refuse lenient addresses', async (t) => {
  try {
    buildConfig({ update: { trustedProxies: ['0177.0.0.1', '010.0.0.0/8'] } }, null);
    t.fail('accepted');
  } catch (err) {
    t.equal((err as ConfigError).problems.length, 2);
    t.match((err as ConfigError).problems[0], /update\.trustedProxies\.0: "0177\.0\.0\.1" is not an address or CIDR/);
  }
});

t.test('reads and writes IPv6 as ipaddr.js does for every form it reads correctly', async (t) => {
  const ipaddr = (await import('ipaddr.js')).default;
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const texts = ['::', '::1', '1::', '2001:db8::', 'fe80::1:2', '1:0:0:1:0:0:0:1', '1:0:0:0:1:0:0:1', '0:0:1::', '2001:DB8:0:0:1::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '::ffff:1.2.3.4', '64:ff9b::192.0.2.1'];
  for (let i = 0; i < 2000; i++) {
    const groups = Array.from({ length: 8 }, () => (rand(3) === 0 ? 0 : rand(0x10000)));
    const full = groups.map((g) => g.toString(16)).join(':');
    texts.push(full, ipaddr.IPv6.parse(full).toRFC5952String());
  }
  for (const text of texts) {
    const ours = parseIPv6(text);
    t.ok(ours, text);
    t.equal(ours?.toRFC5952String(), ipaddr.IPv6.parse(text).toRFC5952String(), text);
    t.equal(parseRdata(RRType.AAAA, text, '').text, ipaddr.IPv6.parse(text).toRFC5952String(), text);
  }
  for (const bad of [':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '1::2:3:4:5:6:7:8', '::1.2.3.4.5', '::256.1.1.1']) {
    t.equal(parseIPv6(bad), undefined, bad);
  }
});
