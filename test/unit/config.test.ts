import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

import { buildConfig, defaultRaw, loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

function problemsOf(raw: unknown): string[] {
  try {
    buildConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

t.test('the example file and the built-in default are the same configuration', async (t) => {
  const example = JSON.parse(readFileSync('config.example.json', 'utf8')) as Record<string, unknown>;
  delete example.$schema;
  t.same(example, defaultRaw());
  const fromFile = loadConfig('config.example.json');
  const builtIn = buildConfig(defaultRaw(), null);
  t.same({ ...fromFile, file: null }, builtIn);
});

t.test('fills in every default when keys are absent', async (t) => {
  const config = buildConfig({}, null);
  t.same(config.dns.listen, [{ host: '127.0.0.1', port: 5300 }, { host: '::1', port: 5300 }]);
  t.same(config.http.listen, [{ host: '127.0.0.1', port: 8053 }, { host: '::1', port: 8053 }]);
  t.equal(config.update.ttl, 60);
  t.equal(config.update.realm, 'dynzone');
  t.same(config.update.rateLimit.perDomain, { requests: 10, windowSeconds: 60 });
  t.same(config.update.rateLimit.failedAuth, { requests: 20, windowSeconds: 600 });
  t.equal(config.https, null);
  t.ok(Object.isFrozen(config));
});

t.test('reports every problem at once with its key path', async (t) => {
  const problems = problemsOf({
    colour: 'blue',
    dns: { listen: ['127.0.0.1'] },
    update: { ttl: -1, rateLimit: { perDomain: { requests: 0 } } },
    zones: [{ name: 'x.example', soa: { mname: 'a' }, ns: [] }],
  });
  t.match(problems.join('\n'), /\(top level\): unknown key "colour"/);
  t.match(problems.join('\n'), /dns\.listen\.0: expected "host:port"/);
  t.match(problems.join('\n'), /update\.ttl: must be >= 0/);
  t.match(problems.join('\n'), /update\.rateLimit\.perDomain: missing key "windowSeconds"/);
  t.match(problems.join('\n'), /zones\.0\.soa: missing key "rname"/);
  t.match(problems.join('\n'), /zones\.0\.ns: must NOT have fewer than 1 items/);
  t.ok(problems.length >= 6);
});

t.test('rejects nested zones, bad zone names, bad ports and bad proxies', async (t) => {
  const zone = (name: string) => ({ name, soa: { mname: 'ns.' + name, rname: 'h.' + name }, ns: ['ns.' + name] });
  const problems = problemsOf({
    dns: { listen: ['127.0.0.1:70000', '[1:2:3:4:5:6:7:8:9]:53'] },
    zones: [zone('example.net'), zone('dyn.example.net'), zone('bad..name')],
    update: { trustedProxies: ['10.0.0.0/33', 'proxy'] },
  });
  const text = problems.join('\n');
  t.match(text, /dns\.listen\.0: "127\.0\.0\.1:70000" is not a valid/);
  t.match(text, /dns\.listen\.1/);
  t.match(text, /zones\.1\.name: "dyn\.example\.net" overlaps zone "example\.net"/);
  t.match(text, /zones\.2\.name: "bad\.\.name" is not a valid domain name/);
  t.match(text, /update\.trustedProxies\.0/);
  t.match(text, /update\.trustedProxies\.1/);
});

t.test('normalises zone names and resolves paths from the file folder', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ dataDir: 'state', zones: [{ name: 'Dyn.Example.NET.', soa: { mname: 'NS1.dyn.example.net.', rname: 'h.example.net' }, ns: ['ns1.dyn.example.net.'] }] }));
  const config = loadConfig(file);
  t.equal(config.dataDir, join(dir, 'state'));
  t.equal(config.zones[0]?.name, 'dyn.example.net');
  t.equal(config.zones[0]?.soa.mname, 'ns1.dyn.example.net');
  t.same(config.zones[0]?.ns, ['ns1.dyn.example.net']);
});

t.test('says which file is unreadable or not JSON', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.throws(() => loadConfig(join(dir, 'absent.json')), { code: 'DDNS_ERR_CONFIG_INVALID', message: /absent\.json[\s\S]*ENOENT/ });
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ "dataDir": ');
  t.throws(() => loadConfig(broken), { message: /broken\.json[\s\S]*not valid JSON/ });
});

t.test('refuses a realm that cannot go into an HTTP header', async (t) => {
  for (const realm of ['Home DNS \u20ac', 'a\r\nX-Injected: 1', 'say "hi"', 'back\\slash', '']) {
    t.match(problemsOf({ update: { realm } }).join('\n'), /update\.realm: must/, JSON.stringify(realm));
  }
  t.same(problemsOf({ update: { realm: 'Home DNS (v2)' } }), []);
});

t.test('lists the allowed values of a choice', async (t) => {
  t.match(problemsOf({ log: { level: 'loud' } }).join('\n'), /log\.level: must be one of fatal, error, warn, info, debug, trace, silent/);
});

t.test('SOA and apex NS belong to their own keys, not to records', async (t) => {
  const zone = { name: 'example.net', soa: { mname: 'ns.example.net', rname: 'h.example.net' }, ns: ['ns.example.net'], records: ['@ IN NS other.example.org.', '@ SOA a b 1 2 3 4 5', 'sub IN NS ns.sub'] };
  const text = problemsOf({ zones: [zone] }).join('\n');
  t.match(text, /zones\.0\.records\.0 \(line 1\): the apex NS records come from "ns"/);
  t.match(text, /zones\.0\.records\.1 \(line 2\): the SOA comes from "soa"/);
  t.notMatch(text, /records\.2/, 'a delegation below the apex is fine');
});
