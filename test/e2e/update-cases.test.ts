/**
 * Every request of test/fixtures/update/client-requests.json (the shared
 * cases from real clients and public reports), sent byte for byte
 * to a real listener (over IPv6 when the case says `::1`), with the answer
 * checked (status, exact body, the named headers) and the records read
 * back from our DNS server afterwards. A failing request changes nothing,
 * not even the SOA serial.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import t from 'tap';
import type { Test } from 'tap';

import { splitNames } from '../../src/update/names.js';
import { ACCOUNT, servedAt, startUpdateFixture, zoneOf, type Fixture, type RRsetSpec } from '../helpers/update-fixture.js';
import { rawRequest, type RawResponse } from '../helpers/update-http.js';

interface Records {
  a: string[];
  aaaa: string[];
}

interface Case {
  id: string;
  setup: {
    domains: string[];
    tokens: string[];
    rrsets?: RRsetSpec[];
    prior_updates?: number;
    rate_limit?: { requests: number; windowSeconds: number };
  };
  request: {
    method: string;
    path: string;
    query: string;
    headers: Record<string, string>;
    client_ip: '127.0.0.1' | '::1';
    http_version?: '1.0' | '1.1';
  };
  expect: Records & {
    status: number;
    body: string | null;
    others?: Record<string, Records>;
    headers?: Record<string, string | null>;
  };
}

const CASES_FILE = fileURLToPath(new URL('../fixtures/update/client-requests.json', import.meta.url));
const cases = JSON.parse(readFileSync(CASES_FILE, 'utf8')) as Case[];

/** The name whose records `expect.a`/`expect.aaaa` describe: the request's first name. */
function firstName(c: Case): string {
  const query = new URLSearchParams(c.request.query);
  const hostname = query.get('hostname');
  if (hostname && hostname !== 'YES') return splitNames(hostname)[0] as string;
  const hostId = query.get('host_id');
  if (hostId) return splitNames(hostId)[0] as string;

  const auth = /^basic (.*)$/i.exec(c.request.headers.Authorization ?? '');
  const user = auth ? Buffer.from(auth[1] as string, 'base64').toString('utf8').split(':')[0] : undefined;
  for (const candidate of [user, query.get('username') ?? undefined]) {
    if (candidate && !candidate.includes('@') && candidate !== ACCOUNT.name) return splitNames(candidate)[0] as string;
  }
  return c.setup.domains[0] as string;
}

/** Checks one expected header: null absent, "*" present, "x*" a prefix, else exact. */
function checkHeader(t: Test, res: RawResponse, name: string, expected: string | null): void {
  const actual = res.headers[name.toLowerCase()];
  if (expected === null) t.equal(actual, undefined, `${name} is absent`);
  else if (expected === '*') t.not(actual, undefined, `${name} is present`);
  else if (expected.endsWith('*')) t.ok(actual?.startsWith(expected.slice(0, -1)), `${name} starts with ${expected.slice(0, -1)} (got ${actual})`);
  else t.equal(actual, expected, `${name} is exact`);
}

async function checkRecords(t: Test, f: Fixture, name: string, expected: Records): Promise<void> {
  const port = f.dnsPort as number;
  t.same(await servedAt(port, name, 'A'), [...expected.a].sort(), `A of ${name} as served`);
  t.same(await servedAt(port, name, 'AAAA'), [...expected.aaaa].sort(), `AAAA of ${name} as served`);
}

async function priorUpdates(t: Test, f: Fixture, c: Case): Promise<void> {
  for (let i = 0; i < (c.setup.prior_updates ?? 0); i++) {
    const domain = c.setup.domains[0] as string;
    const res = await rawRequest({
      ...f.http4,
      target: `/nic/update?hostname=${domain}&myipv4=preserve&myipv6=preserve`,
      headers: { Host: '127.0.0.1', Authorization: `Token ${c.setup.tokens[0]}` },
    });
    t.equal(res.status, 200, `prior update ${i + 1} succeeds`);
  }
}

t.test('the cases file holds every kind of request this endpoint must handle', async (t) => {
  t.equal(cases.length, 36);
  t.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'ids are unique');
});

for (const c of cases) {
  t.test(`${c.id}: answers ${c.expect.status}${c.expect.body === null ? '' : ` ${JSON.stringify(c.expect.body)}`}`, async (t) => {
    const f = await startUpdateFixture(t.teardown, {
      domains: c.setup.domains,
      tokens: c.setup.tokens,
      rrsets: c.setup.rrsets ?? [],
      dns: true,
      ...(c.setup.rate_limit ? { update: { rateLimit: { perDomain: c.setup.rate_limit } } } : {}),
    });
    await priorUpdates(t, f, c);
    const serials = c.setup.domains.map((d) => f.state.zones.get(zoneOf(d))?.serial);

    const { method, path, query, headers, client_ip, http_version } = c.request;
    const res = await rawRequest({
      ...(client_ip === '::1' ? f.http6 : f.http4),
      method,
      target: query === '' ? path : `${path}?${query}`,
      headers,
      httpVersion: http_version ?? '1.1',
    });

    t.equal(res.status, c.expect.status, 'status');
    if (c.expect.body !== null) t.equal(res.body, c.expect.body, 'body');
    const framed = method === 'HEAD' ? res.headers['content-length'] !== undefined : res.headers['content-length'] === String(Buffer.byteLength(res.body));
    t.ok(framed, 'Content-Length frames the body');
    t.equal(res.headers['transfer-encoding'], undefined, 'never chunked');
    t.match(res.headers['content-type'], /^text\/plain/, 'plain text');
    for (const [name, value] of Object.entries(c.expect.headers ?? {})) checkHeader(t, res, name, value);

    await checkRecords(t, f, firstName(c), c.expect);
    for (const [name, records] of Object.entries(c.expect.others ?? {})) await checkRecords(t, f, name, records);
    if (c.expect.status !== 200) {
      t.same(c.setup.domains.map((d) => f.state.zones.get(zoneOf(d))?.serial), serials, 'a refused request leaves the serial');
    }
  });
}
