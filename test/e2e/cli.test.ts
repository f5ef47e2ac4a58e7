import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resolver } from 'node:dns/promises';
import { createServer, type AddressInfo } from 'node:net';
import t from 'tap';

import { runCli, serve, tempSetup } from '../helpers/cli.js';

t.test('management commands work on the files when no server runs', async (t) => {
  const { config, dir, cleanup } = tempSetup();
  t.teardown(cleanup);
  const c = ['--config', config];
  mkdirSync(join(dir, 'data'), { mode: 0o755 });
  chmodSync(join(dir, 'data'), 0o755);

  t.match(await runCli(['account', 'add', 'alice', '--email', 'alice@example.org', ...c]), { code: 0, stdout: 'account alice added\n' });
  t.match(await runCli(['domain', 'add', 'home.dyn.example.net', '--account', 'alice', ...c]), { code: 0 });
  const created = await runCli(['token', 'create', '--account', 'alice', '--name', 'router', ...c]);
  t.equal(created.code, 0);
  t.match(created.stdout, /^[1-9A-HJ-NP-Za-km-z]{28}\n$/, 'the secret alone on stdout');

  const tokens = await runCli(['token', 'list', ...c]);
  t.match(tokens.stdout, /^ID\s+ACCOUNT\s+NAME/);
  t.match(tokens.stdout, /alice\s+router/);
  t.notOk(tokens.stdout.includes(created.stdout.trim()), 'the list never shows a secret');
  t.match((await runCli(['domain', 'list', ...c])).stdout, /home\.dyn\.example\.net\s+alice/);
  t.match((await runCli(['account', 'list', ...c])).stdout, /alice\s+alice@example\.org/);

  t.equal(statSync(join(dir, 'data')).mode & 0o777, 0o700, 'a looser data folder is made owner-only');
});

t.test('a secret given on standard input is kept', async (t) => {
  const { config, cleanup } = tempSetup();
  t.teardown(cleanup);
  await runCli(['account', 'add', 'bob', '--config', config]);
  const kept = await runCli(['token', 'create', '--account', 'bob', '--secret-stdin', '--config', config], 'Moved-From-Provider.0123456\n');
  t.match(kept, { code: 0, stdout: 'Moved-From-Provider.0123456\n' });
  const bad = await runCli(['token', 'create', '--account', 'bob', '--secret-stdin', '--config', config], 'short\n');
  t.equal(bad.code, 2);
  t.match(bad.stderr, /20 to 128 characters/);
  t.notOk(bad.stderr.includes('short'), 'the refused secret is not echoed');
});

t.test('bad input exits non-zero with a message a person can act on', async (t) => {
  const { config, dir, cleanup } = tempSetup();
  t.teardown(cleanup);
  const c = ['--config', config];
  const empty = join(dir, 'empty.zone');
  writeFileSync(empty, '\n');
  const rows: [string[], number, RegExp][] = [
    [['frobnicate'], 2, /unknown command "frobnicate"\nTry: dynzone --help/],
    [['account', 'rename', 'x'], 2, /unknown command "account rename"/],
    [['account'], 2, /Usage: dynzone account COMMAND[\s\S]*account add NAME/],
    [['account', 'add', ...c], 2, /expected NAME, got 0 argument/],
    [['account', 'add', 'a', 'b', ...c], 2, /expected NAME, got 2 argument/],
    [['account', 'add', 'x', '--colour', 'red', ...c], 2, /unknown option --colour\nTry: dynzone account add --help/],
    [['account', 'add', 'Not Valid', ...c], 2, /account name "not valid" must be/],
    [['domain', 'add', 'home.dyn.example.net', ...c], 2, /missing account/],
    [['domain', 'add', 'home.dyn.example.net', '--account', 'nobody', ...c], 1, /no account "nobody"/],
    [['token', 'create', '--account', 'nobody', '--expires', '2001-01-01', ...c], 2, /in the past/],
    [['token', 'revoke', 'deadbeef', ...c], 1, /no token with id "deadbeef"/],
    [['zone', 'export', 'example.org', ...c], 1, /no zone "example\.org"/],
    [['zone', 'import', 'dyn.example.net', join(dir, 'absent.zone'), ...c], 2, /cannot read .*absent\.zone: ENOENT/],
    [['zone', 'import', 'dyn.example.net', empty, ...c], 2, /empty\.zone is empty: nothing to import/],
    [['record', 'remove', 'ns1.dyn.example.net', 'A', ...c], 2, /come from the configuration/],
    [['record', 'remove', 'nothing.dyn.example.net', 'TXT', ...c], 1, /no TXT records at nothing\.dyn\.example\.net/],
    [['serve', '--config', join(dir, 'absent.json')], 2, /absent\.json[\s\S]*ENOENT/],
    [['account', 'list', '--config'], 2, /--config needs a file name/],
  ];
  for (const [args, code, message] of rows) {
    const run = await runCli(args);
    t.equal(run.code, code, args.join(' '));
    t.match(run.stderr + run.stdout, message, args.join(' '));
  }
  const help = await runCli(['token', 'create', '--help']);
  t.match(help, { code: 0, stdout: /--secret-stdin/ });
  t.match(await runCli(['account', '--help']), { code: 0, stdout: /account list/ });
  t.match(await runCli(['--version']), { code: 0, stdout: /^\d+\.\d+\.\d+\n$/ });
  t.match(await runCli(['--config', config, 'account', 'list']), { code: 0, stdout: '(none)\n' }, '--config may come first');
});

t.test('a broken configuration stops the server with status 2 and every problem', async (t) => {
  const { config, cleanup } = tempSetup({ dns: { listen: ['nowhere'] }, surprise: true });
  t.teardown(cleanup);
  const run = await runCli(['serve', '--config', config]);
  t.equal(run.code, 2);
  t.match(run.stderr, /unknown key "surprise"/);
  t.match(run.stderr, /dns\.listen\.0: expected "host:port"/);
});

t.test('a mailbox written with @ gets a hint, and a taken port a plain message', async (t) => {
  const { config, cleanup } = tempSetup({
    zones: [{ name: 'dyn.example.net', soa: { mname: 'ns1.dyn.example.net', rname: 'hostmaster@example.org' }, ns: ['ns1.dyn.example.net'] }],
  });
  t.teardown(cleanup);
  const run = await runCli(['serve', '--config', config]);
  t.equal(run.code, 2);
  t.match(run.stderr, /zones\.0\.soa\.rname: "hostmaster@example\.org" is not a valid domain name \(write the mailbox as a name/);

  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => busy.close());
  const port = (busy.address() as AddressInfo).port;
  const taken = tempSetup({ http: { listen: [`127.0.0.1:${port}`] } });
  t.teardown(taken.cleanup);
  const clash = await runCli(['serve', '--config', taken.config]);
  t.equal(clash.code, 1);
  t.match(clash.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
  t.notOk(clash.stderr.includes('    at '), 'no stack trace');
});

t.test('bad zone lines are reported at start with zone and line', async (t) => {
  const { config, cleanup } = tempSetup({
    zones: [{ name: 'dyn.example.net', soa: { mname: 'ns1.dyn.example.net', rname: 'h.example.net' }, ns: ['ns1.dyn.example.net'], records: ['ok A 192.0.2.1', 'www A 192.0.2.300'] }],
  });
  t.teardown(cleanup);
  const run = await runCli(['serve', '--config', config]);
  t.not(run.code, 0);
  t.match(run.stderr, /zones\.0\.records\.1 \(line 2\): A: invalid IPv4 address "192\.0\.2\.300"/);
});

t.test('serve logs its listeners, takes commands while running, refuses a second server and stops cleanly', async (t) => {
  const { config, cleanup } = tempSetup();
  t.teardown(cleanup);
  const server = await serve(config);
  t.teardown(() => server.child.kill('SIGKILL'));
  t.equal(server.lines.filter((l) => /listening/.test(String(l.msg))).length, 3, 'one line per listener (UDP, TCP, HTTP)');
  t.match(server.lines[0], { msg: 'starting', config, dataDir: /data$/, zones: ['dyn.example.net'] }, 'says which config and data folder');

  const second = await runCli(['serve', '--config', config]);
  t.equal(second.code, 1);
  t.match(second.stderr, /in use by process \d+/);

  t.equal((await runCli(['account', 'add', 'carol', '--config', config])).code, 0);
  t.equal((await runCli(['domain', 'add', 'cabin.dyn.example.net', '--account', 'carol', '--config', config])).code, 0);
  const secret = (await runCli(['token', 'create', '--account', 'carol', '--config', config])).stdout.trim();

  const response = await fetch(`http://127.0.0.1:${server.httpPort}/nic/update?myip=203.0.113.9`, {
    headers: { authorization: 'Basic ' + Buffer.from(`cabin.dyn.example.net:${secret}`).toString('base64') },
  });
  t.equal(response.status, 200);
  t.equal(await response.text(), 'good');

  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${server.dnsPort}`]);
  t.same(await resolver.resolve4('cabin.dyn.example.net'), ['203.0.113.9']);

  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, 'SIGTERM ends with status 0');
  const exported = await runCli(['zone', 'export', 'dyn.example.net', '--config', config]);
  t.match(exported.stdout, /cabin\t60\tIN\tA\t203\.0\.113\.9/, 'the update survived the stop');
});

t.test('a zone file written by export imports into another server', async (t) => {
  const first = tempSetup();
  const second = tempSetup();
  t.teardown(() => { first.cleanup(); second.cleanup(); });
  const file = join(first.dir, 'extra.zone');
  writeFileSync(file, '$ORIGIN dyn.example.net.\n$TTL 300\nwww IN A 192.0.2.80\nmail IN MX 10 www\n');
  t.match(await runCli(['zone', 'import', 'dyn.example.net', file, '--config', first.config]), { code: 0, stdout: /imported 2 record sets/ });
  const exported = await runCli(['zone', 'export', 'dyn.example.net', '--config', first.config]);
  const copy = join(second.dir, 'copy.zone');
  writeFileSync(copy, exported.stdout);
  t.match(await runCli(['zone', 'import', 'dyn.example.net', copy, '--config', second.config]), { code: 0 });
  const again = await runCli(['zone', 'export', 'dyn.example.net', '--config', second.config]);
  const body = (text: string) => text.split('\n').filter((l) => !/\tSOA\t/.test(l)).sort();
  t.same(body(again.stdout), body(exported.stdout));
});
