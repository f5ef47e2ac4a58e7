/**
 * Real dynamic-DNS clients run against a server on loopback: Debian's
 * ddclient and inadyn, curl, GNU wget and Python's urllib. Each is told
 * every address it needs, so it never looks anything up elsewhere: ddclient
 * gets its address from the configuration (`use=ip`), inadyn from a
 * command, with a seeded cache so it does not resolve the host name.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a client run printed and how it ended. */
export interface Run {
  code: number;
  out: string;
}

/** One account's credentials and the server's plain HTTP port. */
export interface Target {
  port: number;
  user: string;
  secret: string;
}

/**
 * Runs a command with a clean environment (no proxies, HOME in `dir` so no
 * personal rc file is read) and a time limit.
 */
export function run(command: string, args: string[], dir: string, timeoutMs = 30_000): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C' };
  return new Promise((resolve) => {
    execFile(command, args, { cwd: dir, env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** True when a command can be started here. */
export function installed(command: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', `command -v ${command}`], { timeout: 5000 }, (err) => resolve(!err));
  });
}

/** ddclient 3.10, protocol dyndns2, plain HTTP, the address given in the configuration. */
export function ddclient(target: Target, hosts: string[], address: string, dir: string): Promise<Run> {
  const conf = join(dir, 'ddclient.conf');
  const lines = [
    'daemon=0',
    'syslog=no',
    'mail=',
    'mail-failure=',
    'ssl=no',
    `use=ip, ip=${address}`,
    'protocol=dyndns2',
    `server=127.0.0.1:${target.port}`,
    `login=${target.user}`,
    `password='${target.secret}'`,
    hosts.join(','),
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`);
  chmodSync(conf, 0o600);
  const args = ['-foreground', '-file', conf, '-cache', join(dir, 'ddclient.cache'), '-force', '-verbose', '-daemon=0'];
  return run('ddclient', args, dir);
}

/**
 * inadyn 2.10 with a `custom` provider on loopback: one run (`--once`,
 * `--force`), the address from a command, address checks off (it refuses
 * loopback and would then ask a public checkip service), and a seeded
 * cache so it does not resolve the host name through the system resolver.
 */
export function inadyn(target: Target, host: string, address: string, dir: string): Promise<Run> {
  const cache = join(dir, 'inadyn-cache');
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(cache, `${host}.cache`), '192.0.2.254\n');
  const conf = join(dir, 'inadyn.conf');
  const lines = [
    'verify-address = false',
    'custom dynzone {',
    `  hostname = "${host}"`,
    `  username = "${target.user}"`,
    `  password = "${target.secret}"`,
    '  ssl = false',
    `  ddns-server = "127.0.0.1:${target.port}"`,
    '  ddns-path = "/nic/update?hostname=%h&myip=%i"',
    `  checkip-command = "/bin/echo ${address}"`,
    '}',
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const args = ['--once', '--force', '--foreground', '-f', conf, '--cache-dir', cache, '-P', join(dir, 'inadyn.pid'), '-l', 'info'];
  return run('inadyn', args, dir);
}

/** curl, failing on HTTP errors, never through a proxy, no ~/.curlrc. */
export function curl(url: string, extra: string[], dir: string): Promise<Run> {
  return run('curl', ['-q', '-sS', '-f', '--noproxy', '*', '--max-time', '10', ...extra, url], dir);
}

/** GNU wget with --user/--password: it sends them only after a Basic challenge. */
export function wget(target: Target, url: string, dir: string): Promise<Run> {
  const auth = [`--user=${target.user}`, `--password=${target.secret}`];
  return run('wget', ['--no-config', '--no-proxy', '-q', '-O', '-', '--tries=1', '--timeout=10', ...auth, url], dir);
}

const URLLIB = `
import sys, urllib.request, urllib.error
url, user, secret = sys.argv[1:4]
passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
passwords.add_password(None, url, user, secret)
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPBasicAuthHandler(passwords))
try:
    with opener.open(url, timeout=10) as response:
        print(response.status, response.read().decode())
except urllib.error.HTTPError as err:
    print(err.code, err.read().decode())
    sys.exit(1)
`;

/** Python's urllib with an HTTPBasicAuthHandler, which answers the Basic challenge. */
export function urllib(target: Target, url: string, dir: string): Promise<Run> {
  return run('python3', ['-c', URLLIB, url, target.user, target.secret], dir);
}

/** `dig +short` for one name and type against our DNS port. */
export async function digShort(dnsPort: number, name: string, type: 'A' | 'AAAA', dir: string): Promise<string[]> {
  const result = await run('dig', ['@127.0.0.1', '-p', String(dnsPort), '+time=2', '+tries=1', '+norecurse', '+short', name, type], dir);
  if (result.code !== 0) throw new Error(`dig failed (${result.code}): ${result.out}`);
  return result.out.split('\n').filter((line) => line !== '').sort();
}
