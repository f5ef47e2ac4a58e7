#!/usr/bin/env node
/**
 * Query benchmark: the same zone served by dynzone, NSD, Knot, BIND and the
 * Node ceiling, each pinned to core 0, with dnsperf on core 1.
 *
 *   node bench/query.mjs [--hosts 1000,100000] [--rounds 3] [--seconds 10]
 *                        [--rate-seconds 5] [--starts 3]
 *                        [--servers dynzone,nsd,knot,bind,ceiling] [--json FILE]
 *                        [--profile DIR] [--baseline OTHER/dist/cli.js] [--keep]
 *
 * For each zone size: start-up (spawn to first correct answer, median of
 * --starts cold starts) and RSS after loading; then interleaved rounds at
 * full speed (queries/s, core µs per query, lost queries) and at a fixed
 * 20k queries/s (latency percentiles, lost queries). Every dnsperf run is
 * capped by -l; the whole run by --max-minutes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { hostA, hostAAAA, writeZone, ZONE } from './gen-zone.mjs';
import { expandIPv6, firstCorrectAnswer, TYPE, udpClient } from './lib/dns.mjs';
import { dnsperf } from './lib/dnsperf.mjs';
import { CLI, cliBuilt, importZone, startDynzone, writeConfig } from './lib/dynzone.mjs';
import { machine } from './lib/machine.mjs';
import { pinSelf, rss } from './lib/proc.mjs';
import { fmt, median, table } from './lib/stats.mjs';
import { startPeer } from './peers/launch.mjs';

const { values: opts } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000,100000' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    'rate-seconds': { type: 'string', default: '5' },
    rate: { type: 'string', default: '20000' },
    starts: { type: 'string', default: '3' },
    servers: { type: 'string', default: 'dynzone,nsd,knot,bind,ceiling' },
    'max-minutes': { type: 'string', default: '60' },
    json: { type: 'string' },
    profile: { type: 'string' },
    baseline: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const ROUNDS = Number(opts.rounds);
const SECONDS = Number(opts.seconds);
const RATE_SECONDS = Number(opts['rate-seconds']);
const RATE = Number(opts.rate);
const STARTS = Number(opts.starts);
/** With --baseline PATH, a second dynzone build runs beside this one, to measure what a change bought. */
const SERVERS = opts.servers.split(',').concat(opts.baseline ? ['dynzone-baseline'] : []);
const base = mkdtempSync(join(tmpdir(), 'dynzone-bench-'));
/** Node flags for dynzone: with --profile DIR each dynzone process writes a CPU profile there when it stops. */
const NODE_ARGS = opts.profile ? ['--cpu-prof', '--cpu-prof-dir', opts.profile] : [];
const running = new Set();

/** Stops every server still running; used at the end, on Ctrl-C and at the time cap. */
async function stopAll() {
  await Promise.all([...running].map((s) => s.stop()));
  running.clear();
}

function log(line) {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

/** A starter per server name: each call is one cold start of a fresh process. */
async function starters(files, hosts) {
  const out = {};
  for (const name of SERVERS) {
    if (!name.startsWith('dynzone')) {
      out[name] = () => startPeer(name, { zoneFile: files.zone, parent: base });
      continue;
    }
    const cli = name === 'dynzone' ? CLI : resolve(opts.baseline);
    if (!cliBuilt(cli)) throw new Error(`${cli} is missing: build dynzone first (npx tsc -p tsconfig.json)`);
    const config = await writeConfig(join(base, `${name}-${hosts}`), { cli });
    const t = performance.now();
    await importZone(config, files.hosts);
    log(`${name}: imported ${hosts} hosts in ${fmt(performance.now() - t)} ms`);
    out[name] = () => startDynzone(config, { nodeArgs: NODE_ARGS });
  }
  return out;
}

/** Checks a handful of answers so a server that answers wrongly is not timed. */
async function spotCheck(server, hosts) {
  const client = udpClient(server.port);
  try {
    const last = hosts - 1;
    const aaaa = await client.ask(`h${last}.${ZONE}`, TYPE.AAAA);
    const missing = await client.ask(`x1.${ZONE}`, TYPE.A);
    const soa = await client.ask(ZONE, TYPE.SOA);
    const ok = aaaa?.addresses[0] === expandIPv6(hostAAAA(last)) && missing?.rcode === 3 && soa?.rcode === 0;
    if (!ok && server.name !== 'ceiling') {
      throw new Error(`${server.name} answers wrongly: ${JSON.stringify({ aaaa, missing, soa })}`);
    }
  } finally {
    client.close();
  }
}

/** Cold starts: spawn to first correct answer, RSS after loading. The last start keeps running. */
async function startAll(start, hosts) {
  const startup = {};
  const servers = {};
  for (let i = 0; i < STARTS; i++) {
    for (const name of SERVERS) {
      const server = await start[name]();
      running.add(server);
      const at = await firstCorrectAnswer(server.port, `h0.${ZONE}`, hostA(0), { timeoutMs: 60000 });
      if (at === undefined) throw new Error(`${name} gave no correct answer within 60 s (see ${server.dir})`);
      await sleep(500);
      const memory = rss(server.pid);
      (startup[name] ??= []).push({ ms: at - server.startedAt, rssKiB: memory.kib, processes: memory.processes });
      log(`${name}: first answer after ${fmt(at - server.startedAt)} ms, RSS ${fmt(memory.kib / 1024, 1)} MiB`);
      if (i < STARTS - 1) {
        await server.stop();
        running.delete(server);
      } else {
        await spotCheck(server, hosts);
        servers[name] = server;
      }
    }
  }
  return { startup, servers };
}

/** Interleaved rounds A B C …, A B C …: full speed, then the fixed rate. */
async function measure(servers, queries) {
  const full = {};
  const rated = {};
  const load = (name, extra) => dnsperf({ port: servers[name].port, serverPid: servers[name].pid, queries, ...extra });
  for (const name of SERVERS) await load(name, { seconds: 1 });
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of SERVERS) {
      const s = await load(name, { seconds: SECONDS });
      (full[name] ??= []).push(s);
      log(`round ${r + 1} ${name}: ${fmt(s.qps)} q/s, ${fmt(s.cpuUsPerQuery, 2)} µs/q, lost ${s.lost}`);
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of SERVERS) {
      const s = await load(name, { seconds: RATE_SECONDS, qps: RATE, verbose: true });
      (rated[name] ??= []).push(s);
      log(`rate round ${r + 1} ${name}: p50 ${fmt(s.p50Ms, 3)} ms, p99 ${fmt(s.p99Ms, 3)} ms, lost ${s.lost}`);
    }
  }
  return { full, rated };
}

/** Median over rounds of dynzone's figure divided by the peer's, each pair from the same round. */
function roundRatio(full, peer, key) {
  if (!full.dynzone || !full[peer]) return NaN;
  return median(full.dynzone.map((s, i) => s[key] / full[peer][i][key]));
}

function report(hosts, result) {
  const { startup, full, rated } = result;
  const rows = SERVERS.map((name) => {
    const f = full[name];
    const q = rated[name];
    const st = startup[name];
    return [
      name,
      fmt(median(f.map((s) => s.qps))),
      fmt(median(f.map((s) => s.cpuUsPerQuery)), 2),
      fmt(f.reduce((n, s) => n + s.lost, 0)),
      fmt(median(f.map((s) => s.responseBytes))),
      fmt(median(q.map((s) => s.p50Ms)), 3),
      fmt(median(q.map((s) => s.p99Ms)), 3),
      fmt(q.reduce((n, s) => n + s.lost, 0)),
      fmt(median(st.map((s) => s.ms))),
      fmt(median(st.map((s) => s.rssKiB)) / 1024, 1) + (st[0].processes > 1 ? ` (${st[0].processes} proc)` : ''),
      name === 'dynzone' ? '1' : fmt(roundRatio(full, name, 'qps'), 2),
      name === 'dynzone' ? '1' : fmt(roundRatio(full, name, 'cpuUsPerQuery'), 2),
    ];
  });
  const header = [
    'server', 'queries/s', 'core µs/query', 'lost (full speed)', 'reply bytes',
    `p50 ms @${RATE / 1000}k`, `p99 ms @${RATE / 1000}k`, `lost @${RATE / 1000}k`,
    'start → answer ms', 'RSS MiB', 'dynzone ÷ it (q/s)', 'dynzone ÷ it (µs/q)',
  ];
  return `### ${fmt(hosts)} hosts\n\n${table(header, rows)}\n`;
}

async function main() {
  pinSelf(1);
  const cap = setTimeout(async () => {
    log(`time cap of ${opts['max-minutes']} min reached; stopping`);
    await stopAll();
    process.exit(3);
  }, Number(opts['max-minutes']) * 60000);
  process.once('SIGINT', () => stopAll().then(() => process.exit(130)));

  const settings = { ROUNDS, SECONDS, RATE_SECONDS, RATE, STARTS, SERVERS };
  const results = { machine: machine(), settings, sizes: {} };
  const sections = [];
  for (const hosts of opts.hosts.split(',').map(Number)) {
    const files = writeZone(join(base, `zone-${hosts}`), hosts);
    log(`zone of ${hosts} hosts written to ${files.zone}`);
    const start = await starters(files, hosts);
    const { startup, servers } = await startAll(start, hosts);
    const { full, rated } = await measure(servers, files.queries);
    await stopAll();
    results.sizes[hosts] = { startup, full, rated };
    sections.push(report(hosts, { startup, full, rated }));
  }
  clearTimeout(cap);

  const m = results.machine;
  process.stdout.write(`## Query benchmark, ${m.date}\n\n${m.summary}\n`);
  process.stdout.write(`Rounds ${ROUNDS} × ${SECONDS} s at full speed, ${ROUNDS} × ${RATE_SECONDS} s at ${RATE} q/s; `);
  process.stdout.write('medians.\n\n');
  process.stdout.write(sections.join('\n'));
  process.stdout.write(`\nLoad average at the end: ${loadavg()[0].toFixed(2)}.\n`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 2) + '\n');
  if (!opts.keep) rmSync(base, { recursive: true, force: true });
}

main().catch(async (err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  await stopAll();
  process.exitCode = 1;
});
