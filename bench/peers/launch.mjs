#!/usr/bin/env node
/**
 * Starts one reference server on 127.0.0.1, pinned to one core, in a folder
 * of its own, and stops it by its PID.
 *
 *   node bench/peers/launch.mjs nsd|knot|knot-nosync|bind|ceiling --zone zone.db [--port P] [--core 0]
 *
 * Run alone it prints the port and PID and keeps the server up until
 * Ctrl-C; query.mjs and update.mjs import `startPeer` instead.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { freePort } from '../lib/dns.mjs';
import { spawnPinned, stop } from '../lib/proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Fills a template from this folder and writes it into `dir`. */
function writeConfig(template, dir, values) {
  let text = readFileSync(join(here, template), 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`@${key}@`, String(value));
  const file = join(dir, template.replace(/\.tmpl$/, ''));
  writeFileSync(file, text);
  return file;
}

/** How each server is started: its command line, given its folder, port and zone copy. */
const PEERS = {
  nsd: (dir, port, zone) => {
    const conf = writeConfig('nsd.conf.tmpl', dir, { DIR: dir, PORT: port, ZONEFILE: zone });
    return ['nsd', ['-d', '-c', conf]];
  },
  knot: (dir, port, zone) => {
    const conf = writeConfig('knot.conf.tmpl', dir, { DIR: dir, PORT: port, ZONEFILE: zone, ZONEFILE_SYNC: 0 });
    return ['knotd', ['-c', conf]];
  },
  'knot-nosync': (dir, port, zone) => {
    const conf = writeConfig('knot.conf.tmpl', dir, { DIR: dir, PORT: port, ZONEFILE: zone, ZONEFILE_SYNC: -1 });
    return ['knotd', ['-c', conf]];
  },
  bind: (dir, port, zone) => {
    const conf = writeConfig('named.conf.tmpl', dir, { DIR: dir, PORT: port, ZONEFILE: zone });
    return ['named', ['-g', '-c', conf, '-n', '1']];
  },
  ceiling: (_dir, port) => [process.execPath, [join(here, 'ceiling.mjs'), String(port)]],
};

/** Names of the servers `startPeer` knows. */
export const PEER_NAMES = Object.keys(PEERS);

/**
 * Starts server `name` with its own copy of `zoneFile`. Resolves with
 * { name, port, pid, dir, startedAt, stop }; `startedAt` is the
 * performance.now() of the spawn.
 */
export async function startPeer(name, { zoneFile, port, core = 0, parent = tmpdir() }) {
  const make = PEERS[name];
  if (!make) throw new Error(`unknown server "${name}"; one of ${PEER_NAMES.join(', ')}`);

  const dir = mkdtempSync(join(parent, `bench-${name}-`));
  const zone = join(dir, 'zone.db');
  if (zoneFile) copyFileSync(zoneFile, zone);
  const chosen = port ?? (await freePort());
  const [command, args] = make(dir, chosen, zone);

  const started = spawnPinned(core, command, args, { logFile: join(dir, 'server.log') });
  return { name, port: chosen, pid: started.pid, dir, startedAt: started.startedAt, stop: () => stop(started.child) };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { zone: { type: 'string' }, port: { type: 'string' }, core: { type: 'string', default: '0' } },
  });
  const name = positionals[0];
  if (!name || !PEERS[name] || (name !== 'ceiling' && !values.zone)) {
    process.stderr.write(`usage: node bench/peers/launch.mjs ${PEER_NAMES.join('|')} --zone FILE [--port P] [--core C]\n`);
    process.exitCode = 2;
    return;
  }
  const peer = await startPeer(name, {
    zoneFile: values.zone,
    port: values.port ? Number(values.port) : undefined,
    core: Number(values.core),
  });
  process.stdout.write(`${name} pid ${peer.pid} on 127.0.0.1:${peer.port}, folder ${peer.dir}\n`);
  const shutdown = () => peer.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
