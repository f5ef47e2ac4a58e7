import t from 'tap';

import ipaddr from 'ipaddr.js';

import { clientAddress } from '../../src/update/client-ip.js';
import { clientKey } from '../../src/update/rate-limit.js';

const proxies: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [ipaddr.parseCIDR('10.0.0.0/8'), ipaddr.parseCIDR('fd00::/8')];
const show = (r: ReturnType<typeof clientAddress>) => (r.ok ? r.address.toString() : r.message);

t.test('uses the peer address, reading ::ffff:a.b.c.d as IPv4', async (t) => {
  t.equal(show(clientAddress('::ffff:192.0.2.1', undefined, [])), '192.0.2.1');
  t.equal(show(clientAddress('::1', undefined, [])), '::1');
  t.equal(show(clientAddress('192.0.2.1', '198.51.100.1', [])), '192.0.2.1', 'X-Forwarded-For from an untrusted peer is ignored');
});

t.test('believes X-Forwarded-For from a trusted proxy: the right-most untrusted hop', async (t) => {
  t.equal(show(clientAddress('10.1.1.1', '198.51.100.1', proxies)), '198.51.100.1');
  t.equal(show(clientAddress('::ffff:10.1.1.1', '203.0.113.9, 198.51.100.1', proxies)), '198.51.100.1', 'a forged left entry is not used');
  t.equal(show(clientAddress('10.1.1.1', '198.51.100.1, 10.2.2.2', proxies)), '198.51.100.1', 'trusted hops are skipped');
  t.equal(show(clientAddress('10.1.1.1', ['2001:db8::1', 'fd00::5'], proxies)), '2001:db8::1', 'repeated headers are one list');
  t.equal(show(clientAddress('10.1.1.1', '10.3.3.3', proxies)), '10.3.3.3', 'all trusted: the left-most');
  t.equal(show(clientAddress('10.1.1.1', undefined, proxies)), '10.1.1.1');
});

t.test('refuses an X-Forwarded-For it cannot read, from a trusted proxy only', async (t) => {
  t.equal(show(clientAddress('10.1.1.1', 'unknown', proxies)), 'invalid address "unknown" in X-Forwarded-For');
  t.equal(show(clientAddress('10.1.1.1', '127.1', proxies)), 'invalid address "127.1" in X-Forwarded-For');
  t.equal(show(clientAddress('10.1.1.1', 'fe80::1%eth0', proxies)), 'invalid address "fe80::1%eth0" in X-Forwarded-For');
});

t.test('keys failed logins by IPv4 address and by IPv6 /64', async (t) => {
  t.equal(clientKey(ipaddr.parse('192.0.2.1')), '192.0.2.1');
  t.equal(clientKey(ipaddr.parse('2001:db8:1:2:3:4:5:6')), '2001:0db8:0001:0002::/64');
  t.equal(clientKey(ipaddr.parse('2001:db8:1:2::ffff')), clientKey(ipaddr.parse('2001:db8:1:2:aaaa::1')));
});
