/**
 * dynzone under benchmark: a configuration in a temp folder, the zone
 * imported and the account made through the command line while no server
 * runs, then `dynzone serve` pinned to one core.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { SOA, ZONE } from '../gen-zone.mjs';
import { freePort } from './dns.mjs';
import { run, spawnPinned, stop } from './proc.mjs';

/**
 * The built command line entry: this checkout's dist/cli.js, or another
 * build named by DYNZONE_CLI (to compare two builds, or to measure a build
 * made outside the working tree).
 */
export const CLI = process.env.DYNZONE_CLI
  ? resolve(process.env.DYNZONE_CLI)
  : resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js');

/** Whether the command line entry (dist/cli.js, or `path`) has been built. */
export function cliBuilt(path = CLI) {
  return existsSync(path);
}

/**
 * Writes a configuration serving the benchmark zone (SOA and NS; glue and
 * hosts come from `importZone`) from `dir/data` on free
 * ports; `perDomain` raises the update limit so the load is not refused.
 * `cli` picks the build that runs with it (default: CLI).
 */
export async function writeConfig(dir, { logLevel = 'info', cli } = {}) {
  mkdirSync(dir, { recursive: true });
  const dnsPort = await freePort();
  const httpPort = await freePort();
  const { serial: _serial, ...soa } = SOA;
  const config = {
    dataDir: join(dir, 'data'),
    dns: { listen: [`127.0.0.1:${dnsPort}`] },
    http: { listen: [`127.0.0.1:${httpPort}`] },
    // The glue comes in with the import: dynzone refuses a domain that
    // covers names whose addresses the configuration sets.
    zones: [{ name: ZONE, soa, ns: [SOA.mname], records: [] }],
    update: { rateLimit: { perDomain: { requests: 100000000, windowSeconds: 1 } } },
    log: { level: logLevel },
  };
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
  return { file, dnsPort, httpPort, dir, cli: cli ?? CLI };
}

/** Runs one management command with no server running; throws on failure. */
export async function cli(config, args, timeoutMs = 120000) {
  const out = await run(process.execPath, [config.cli ?? CLI, ...args, '--config', config.file], { timeoutMs });
  if (out.code !== 0) throw new Error(`dynzone ${args.join(' ')} failed (${out.code ?? out.signal}): ${out.stderr.trim()}`);
  return out.stdout.trim();
}

/** Imports the host records (the file written by gen-zone as hosts.db). */
export function importZone(config, hostsFile) {
  return cli(config, ['zone', 'import', ZONE, hostsFile], 600000);
}

/** Creates an account owning the whole zone and a token; returns { account, secret }. */
export async function createUpdater(config, account = 'bench') {
  await cli(config, ['account', 'add', account]);
  await cli(config, ['domain', 'add', ZONE, '--account', account]);
  const secret = await cli(config, ['token', 'create', '--account', account, '--name', 'bench']);
  return { account, secret };
}

/**
 * Starts `dynzone serve` pinned to `core`, with extra Node flags such as
 * `--cpu-prof`. Resolves with { pid, port, httpPort, startedAt, stop }.
 */
export function startDynzone(config, { core = 0, nodeArgs = [] } = {}) {
  const started = spawnPinned(core, process.execPath, [...nodeArgs, config.cli ?? CLI, 'serve', '--config', config.file], {
    logFile: join(config.dir, 'server.log'),
    cwd: config.dir,
  });
  return {
    name: 'dynzone',
    pid: started.pid,
    port: config.dnsPort,
    httpPort: config.httpPort,
    dir: config.dir,
    startedAt: started.startedAt,
    stop: () => stop(started.child, 15000),
    /** Ends the process at once, as a power cut would, and resolves when it is gone. */
    crash: () => {
      started.child.kill('SIGKILL');
      return started.child.exited;
    },
  };
}
