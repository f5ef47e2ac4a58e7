import t from 'tap';

import { parseQuery, splitTarget } from '../../src/update/query.js';

t.test('decodes keys and values as HTML forms are, before anything is split', async (t) => {
  const rows: [string, string, string | undefined][] = [
    ['hostname=a.example.net%2cb.example.net', 'hostname', 'a.example.net,b.example.net'],
    ['hostname=a.example.net%2Cb.example.net', 'hostname', 'a.example.net,b.example.net'],
    ['myipv6=2001%3adb8%3a%3a7', 'myipv6', '2001:db8::7'],
    ['hostname=a+b', 'hostname', 'a b'],
    ['hostname=a%2Bb', 'hostname', 'a+b'],
    ['myip=', 'myip', ''],
    ['myip', 'myip', ''],
    ['other=1', 'myip', undefined],
    ['bad=%zz', 'bad', '%zz'],
  ];
  for (const [raw, key, value] of rows) t.equal(parseQuery(raw).get(key), value, raw);
});

t.test('lets the last value of a repeated key win', async (t) => {
  t.equal(parseQuery('myip=1.2.3.4&myip=5.6.7.8').get('myip'), '5.6.7.8');
});

t.test('keeps keys with colons whole and every pair in order', async (t) => {
  const q = parseQuery('myipv6%3anas.home.example.net=2001:db8::/64&myipv6:a=1&myipv6:a=2');
  t.same(q.pairs, [
    ['myipv6:nas.home.example.net', '2001:db8::/64'],
    ['myipv6:a', '1'],
    ['myipv6:a', '2'],
  ]);
  t.equal(q.get('myipv6:nas.home.example.net'), '2001:db8::/64');
});

t.test('splits a request target into path and raw query', async (t) => {
  t.same(splitTarget('/nic/update?hostname=x&myip=1'), { path: '/nic/update', query: 'hostname=x&myip=1' });
  t.same(splitTarget('/?a=b?c'), { path: '/', query: 'a=b?c' });
  t.same(splitTarget('/nic/update'), { path: '/nic/update', query: '' });
  t.same(splitTarget('http://update.example.net/nic/update?x=1'), { path: '/nic/update', query: 'x=1' });
  t.same(splitTarget('http://update.example.net?x=1'), { path: '/', query: 'x=1' });
});
