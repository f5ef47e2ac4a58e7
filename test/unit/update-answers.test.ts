import t from 'tap';

import { render, type Outcome } from '../../src/update/answers.js';
import { quote } from '../../src/update/quote.js';

t.test('words every outcome with the status and body update-api.md gives', async (t) => {
  const rows: [Outcome, number, string][] = [
    [{ kind: 'good', lines: 1 }, 200, 'good'],
    [{ kind: 'good', lines: 3 }, 200, 'good\ngood\ngood'],
    [{ kind: 'badauth' }, 401, 'badauth'],
    [{ kind: 'nohost' }, 404, 'nohost'],
    [{ kind: 'several-domains' }, 400, 'Cannot update names from more than one domain.'],
    [{ kind: 'unnamed-domain' }, 400, 'Request does not name the domain to update.'],
    [{ kind: 'bad-request', message: 'invalid IPv4 address "10.2.3.4asdf" in myip' }, 400, 'invalid IPv4 address "10.2.3.4asdf" in myip'],
    [{ kind: 'rate-limited', retryAfter: 42 }, 429, 'Rate limit exceeded; retry in 42 seconds.'],
    [{ kind: 'method-not-allowed' }, 405, 'Method not allowed.'],
    [{ kind: 'not-found' }, 404, 'Not found.'],
    [{ kind: 'uri-too-long' }, 414, 'Request URL too long.'],
    [{ kind: 'headers-too-large' }, 431, 'Request headers too large.'],
    [{ kind: 'request-timeout' }, 408, 'Request timeout.'],
    [{ kind: 'checkip', address: '2001:db8::1' }, 200, '2001:db8::1'],
    [{ kind: 'health' }, 200, 'ok'],
    [{ kind: 'store-failed' }, 503, '911'],
    [{ kind: 'server-fault' }, 500, '911'],
  ];
  for (const [outcome, status, body] of rows) t.match(render(outcome, 'dynzone'), { status, body }, outcome.kind);
});

t.test('adds the headers each answer needs, and plain text everywhere', async (t) => {
  t.match(render({ kind: 'badauth' }, 'home DNS').headers, { 'WWW-Authenticate': 'Basic realm="home DNS"' });
  t.match(render({ kind: 'rate-limited', retryAfter: 7 }, 'r').headers, { 'Retry-After': '7' });
  t.match(render({ kind: 'method-not-allowed' }, 'r').headers, { Allow: 'GET' });
  t.equal(render({ kind: 'good', lines: 1 }, 'r').headers['Content-Type'], 'text/plain; charset=utf-8');
  t.equal(render({ kind: 'nohost' }, 'r').headers['Content-Type'], 'text/plain');
  t.equal(render({ kind: 'good', lines: 1 }, 'r').headers['WWW-Authenticate'], undefined);
});

t.test('quotes request text on one printable ASCII line', async (t) => {
  t.equal(quote('10.2.3.4asdf'), '"10.2.3.4asdf"');
  t.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
  t.equal(quote('x\r\ny\u2028é'), '"x\\u000d\\u000ay\\u2028\\u00e9"');
  t.equal(quote('a'.repeat(150)), `"${'a'.repeat(100)}..."`);
});
