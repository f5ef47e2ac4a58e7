/**
 * NSD as a reference server for differential tests: writes a config and the
 * zone into a temp folder, starts `nsd -d` on a free loopback port, waits
 * until it answers, and stops it by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { buildQuery, udpExchange } from './dns-client.js';

/** A running NSD. */
export interface Nsd {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A port that was free a moment ago, taken from a UDP bind to port 0. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** The configuration: loopback only, no database, no rate limit, minimal responses. */
function config(dir: string, port: number, apex: string): string {
  return [
    'server:',
    `  ip-address: 127.0.0.1@${port}`,
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    `  pidfile: "${join(dir, 'nsd.pid')}"`,
    `  logfile: "${join(dir, 'nsd.log')}"`,
    '  database: ""',
    `  xfrdfile: "${join(dir, 'xfrd.state')}"`,
    `  zonelistfile: "${join(dir, 'zone.list')}"`,
    `  xfrdir: "${dir}"`,
    '  server-count: 1',
    '  tcp-count: 16',
    '  verbosity: 0',
    '  hide-version: yes',
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    '  minimal-responses: yes',
    'remote-control:',
    '  control-enable: no',
    'zone:',
    `  name: ${apex}`,
    '  zonefile: zone.db',
    '',
  ].join('\n');
}

/** Starts NSD in the foreground with one zone; resolves once it answers the SOA. */
export async function startNsd(dir: string, apex: string, zoneText: string): Promise<Nsd> {
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'zone.db'), zoneText);
  writeFileSync(join(dir, 'nsd.conf'), config(dir, port, apex));
  const child = spawn('nsd', ['-d', '-c', join(dir, 'nsd.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => (clearTimeout(force), resolve()));
      child.kill('SIGTERM');
    });

  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) break;
    if (await udpExchange('127.0.0.1', port, buildQuery({ name: apex, type: 6 }), 200)) return { port, child, stop };
  }
  await stop();
  throw new Error(`NSD did not start on port ${port}: ${stderr.trim()}`);
}
