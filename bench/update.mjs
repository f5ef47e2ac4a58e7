#!/usr/bin/env node
/**
 * Update benchmark: dyndns2 updates over HTTP to dynzone against RFC 2136
 * updates to BIND (and Knot) on the same zone. Servers are pinned to core 0,
 * this process (the clients) to core 1.
 *
 *   node bench/update.mjs [--hosts 1000,100000] [--clients 1,10] [--rounds 3]
 *                         [--seconds 5] [--max-requests 50000] [--sample 10]
 *                         [--servers dynzone,bind,knot,knot-nosync] [--json FILE]
 *                         [--profile DIR] [--keep]
 *
 * Each request changes one host's A record to an address it never had.
 * Reported per server and client count (medians over interleaved rounds):
 * acknowledged updates/s, latency p50/p99, and for every --sample-th
 * update whether a DNS query sent right after the answer already got the
 * new address, and the time until one did. BIND is also driven by
 * `dnsperf -u` as a cross-check. At the end dynzone is killed with SIGKILL
 * right after an acknowledged update and restarted, to check that the
 * update survived.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { hostA, writeZone, ZONE } from './gen-zone.mjs';
import { buildUpdateA, firstCorrectAnswer, TYPE, udpClient } from './lib/dns.mjs';
import { dnsperf } from './lib/dnsperf.mjs';
import { cliBuilt, createUpdater, importZone, startDynzone, writeConfig } from './lib/dynzone.mjs';
import { closedLoop, httpGet, updateAddress, visibility } from './lib/load.mjs';
import { machine } from './lib/machine.mjs';
import { pinSelf } from './lib/proc.mjs';
import { fmt, median, table } from './lib/stats.mjs';
import { startPeer } from './peers/launch.mjs';

const { values: opts } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000,100000' },
    clients: { type: 'string', default: '1,10' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    'max-requests': { type: 'string', default: '50000' },
    sample: { type: 'string', default: '10' },
    servers: { type: 'string', default: 'dynzone,bind,knot,knot-nosync' },
    'max-minutes': { type: 'string', default: '60' },
    json: { type: 'string' },
    profile: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const CLIENTS = opts.clients.split(',').map(Number);
const ROUNDS = Number(opts.rounds);
const SECONDS = Number(opts.seconds);
const MAX_REQUESTS = Number(opts['max-requests']);
const SAMPLE = Number(opts.sample);
const SERVERS = opts.servers.split(',');
const base = mkdtempSync(join(tmpdir(), 'dynzone-bench-'));
/** Node flags for dynzone: with --profile DIR each dynzone process writes a CPU profile there when it stops. */
const NODE_ARGS = opts.profile ? ['--cpu-prof', '--cpu-prof-dir', opts.profile] : [];
const running = new Set();
/** The row of BIND driven by dnsperf -u instead of our sender. */
const DNSPERF_ROW = 'bind (dnsperf -u)';

function log(line) {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

async function stopAll() {
  await Promise.all([...running].map((s) => s.stop()));
  running.clear();
}

/**
 * A target: a running server plus `send(k)`, which makes update number k
 * (host k mod N, a fresh address) and resolves when it is acknowledged.
 */
function target(server, hosts, send) {
  const dns = udpClient(server.port);
  let offset = 0;
  return {
    server,
    dns,
    /** One closed-loop run; samples visibility of every SAMPLE-th update. */
    async run(clients) {
      const probes = [];
      const first = offset;
      const result = await closedLoop({
        clients,
        seconds: SECONDS,
        maxRequests: MAX_REQUESTS,
        request: async (k) => {
          const n = first + k;
          const name = `h${n % hosts}.${ZONE}`;
          const address = updateAddress(n);
          await send(name, address);
          this.last = { name, address };
          if (k % SAMPLE === 0) probes.push(visibility(dns, name, address, performance.now()));
        },
      });
      offset += result.acknowledged + result.failed;
      const seen = await Promise.all(probes);
      const delays = seen.map((v) => v.ms).sort((a, b) => a - b);
      result.sampled = seen.length;
      result.visibleFirst = seen.filter((v) => v.first).length;
      result.visibleP50Ms = median(delays);
      result.visibleMaxMs = delays.filter(Number.isFinite).at(-1) ?? NaN;
      result.neverVisible = delays.filter((d) => !Number.isFinite(d)).length;
      return result;
    },
  };
}

/** dynzone: zone imported, account and token made, then `serve`; updates over HTTP. */
async function dynzoneTarget(files, hosts) {
  if (!cliBuilt()) throw new Error('dist/cli.js is missing: build dynzone first (npx tsc -p tsconfig.json)');
  const config = await writeConfig(join(base, `dynzone-${hosts}`));
  await importZone(config, files.hosts);
  const { account, secret } = await createUpdater(config);
  const server = await startTarget(() => startDynzone(config, { nodeArgs: NODE_ARGS }));

  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(...CLIENTS) });
  const headers = { authorization: `Basic ${Buffer.from(`${account}:${secret}`).toString('base64')}` };
  const send = async (name, address) => {
    // myipv6=preserve: an IPv4-only request would otherwise delete the AAAA (update-api.md §4).
    const path = `/nic/update?hostname=${name}&myip=${address}&myipv6=preserve`;
    const res = await httpGet(agent, config.httpPort, path, headers);
    if (res.status !== 200 || res.body !== 'good') throw new Error(`HTTP ${res.status} ${res.body.slice(0, 60)}`);
  };
  const t = target(server, hosts, send);
  t.config = config;
  t.headers = headers;
  t.close = () => agent.destroy();
  return t;
}

/** A peer: its own copy of the zone; RFC 2136 updates over UDP (delete the A RRset, add one). */
async function peerTarget(name, files, hosts) {
  const server = await startTarget(() => startPeer(name, { zoneFile: files.zone, parent: base }));
  const updates = udpClient(server.port);
  const send = async (owner, address) => {
    const reply = await updates.exchange((id) => buildUpdateA(id, ZONE, owner, address), 5000);
    if (!reply) throw new Error('no reply within 5 s');
    if (reply.rcode !== 0) throw new Error(`rcode ${reply.rcode}`);
  };
  const t = target(server, hosts, send);
  t.close = () => updates.close();
  return t;
}

/**
 * Starts a server and waits until it serves `address` for `name` (by
 * default host 0 as the zone file has it). Resolves with the server, whose
 * `readyMs` is the time from spawn to that answer, or undefined when none
 * came within 60 s.
 */
async function startServer(start, name = `h0.${ZONE}`, address = hostA(0)) {
  const server = await start();
  running.add(server);
  const at = await firstCorrectAnswer(server.port, name, address, { timeoutMs: 60000 });
  server.readyMs = at === undefined ? NaN : at - server.startedAt;
  const outcome = at === undefined ? 'no correct answer within 60 s' : `serving after ${fmt(server.readyMs)} ms`;
  log(`${server.name}: ${outcome}`);
  return server;
}

/** startServer for the benchmark targets, which must come up. */
async function startTarget(start) {
  const server = await startServer(start);
  if (!Number.isFinite(server.readyMs)) {
    throw new Error(`${server.name} gave no correct answer within 60 s (see ${server.dir})`);
  }
  return server;
}

/** The dnsperf -u input: `count` updates, each replacing one host's A with a fresh address. */
function writeUpdateFile(file, hosts, count, from) {
  const lines = [];
  for (let k = 0; k < count; k++) {
    const n = from + k;
    lines.push(ZONE, `delete h${n % hosts} A`, `add h${n % hosts} 60 A ${updateAddress(n)}`, 'send');
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

/**
 * BIND driven by `dnsperf -u` as a cross-check of our own RFC 2136 sender:
 * `clients` updates outstanding at once, each run from a fresh file so no
 * update repeats an address the host already has.
 */
function dnsperfTarget(bind, hosts) {
  let offset = 2000000;
  return {
    server: bind.server,
    async run(clients) {
      const file = join(base, `updates-${hosts}.txt`);
      writeUpdateFile(file, hosts, MAX_REQUESTS, offset);
      const s = await dnsperf({
        port: bind.server.port, queries: file, seconds: SECONDS, serverPid: bind.server.pid,
        outstanding: clients, updates: true, verbose: true, runs: 1,
      });
      offset += s.sent;
      rmSync(file);
      return {
        clients, acknowledged: s.completed, failed: s.lost, errors: {}, seconds: s.runTime, perSecond: s.qps,
        p50Ms: s.p50Ms, p99Ms: s.p99Ms, sampled: 0, visibleFirst: 0, visibleP50Ms: NaN, visibleMaxMs: NaN,
      };
    },
  };
}

/**
 * SIGKILL dynzone right after an acknowledged update, restart it, and check
 * that the update is served: the answer was only sent once it was durable.
 * The measured process is first stopped cleanly (so it can write its CPU
 * profile) and a fresh one started on the same data.
 */
async function crashCheck(t, hosts) {
  await t.server.stop();
  running.delete(t.server);
  t.close();
  const { name: lastName, address: lastAddress } = t.last;
  const fresh = await startServer(() => startDynzone(t.config, { nodeArgs: NODE_ARGS }), lastName, lastAddress);
  if (!Number.isFinite(fresh.readyMs)) throw new Error(`dynzone lost ${lastName} ${lastAddress} in a clean restart`);
  const agent = new http.Agent({ keepAlive: false });
  const name = `h${hosts - 1}.${ZONE}`;
  const address = '198.51.100.77';
  const path = `/nic/update?hostname=${name}&myip=${address}&myipv6=preserve`;
  const res = await httpGet(agent, t.config.httpPort, path, t.headers);
  if (res.status !== 200) throw new Error(`crash check update refused: ${res.status} ${res.body}`);
  await fresh.crash();
  running.delete(fresh);

  const server = await startServer(() => startDynzone(t.config), name, address);
  running.delete(server);
  await server.stop();
  return { survived: Number.isFinite(server.readyMs), restartMs: server.readyMs, cleanRestartMs: fresh.readyMs };
}

function report(hosts, names, results, crash) {
  const rows = [];
  for (const clients of CLIENTS) {
    for (const name of names) {
      const runs = results[name][clients];
      const ours = results.dynzone?.[clients];
      const ratio = name === 'dynzone' || !ours ? '' : fmt(median(runs.map((r, i) => ours[i].perSecond / r.perSecond)), 2);
      const sampled = runs.reduce((n, r) => n + r.sampled, 0);
      const first = runs.reduce((n, r) => n + r.visibleFirst, 0);
      rows.push([
        name,
        clients,
        fmt(median(runs.map((r) => r.perSecond))),
        fmt(median(runs.map((r) => r.p50Ms)), 2),
        fmt(median(runs.map((r) => r.p99Ms)), 2),
        sampled ? `${first}/${sampled}` : '–',
        fmt(median(runs.map((r) => r.visibleP50Ms)), 2),
        fmt(Math.max(...runs.map((r) => r.visibleMaxMs).filter(Number.isFinite)), 2),
        fmt(runs.reduce((n, r) => n + r.failed, 0)),
        ratio,
      ]);
    }
  }
  const header = [
    'server', 'clients', 'updates/s', 'p50 ms', 'p99 ms', 'new address on first query', 'visible after p50 ms',
    'visible after max ms', 'failed', 'dynzone ÷ it',
  ];
  let text = `### ${fmt(hosts)} hosts\n\n${table(header, rows)}\n`;
  if (crash) {
    const outcome = crash.survived ? 'the update was served after the restart' : 'THE UPDATE WAS LOST';
    text += `\ndynzone killed with SIGKILL right after an acknowledged update: ${outcome} `;
    text += `(restart to first answer ${fmt(crash.restartMs)} ms; `;
    text += `a clean restart after the runs took ${fmt(crash.cleanRestartMs)} ms).\n`;
  }
  return text;
}

async function main() {
  pinSelf(1);
  const cap = setTimeout(async () => {
    log(`time cap of ${opts['max-minutes']} min reached; stopping`);
    await stopAll();
    process.exit(3);
  }, Number(opts['max-minutes']) * 60000);
  process.once('SIGINT', () => stopAll().then(() => process.exit(130)));

  const sections = [];
  const settings = { CLIENTS, ROUNDS, SECONDS, MAX_REQUESTS, SAMPLE, SERVERS };
  const all = { machine: machine(), settings, sizes: {} };
  for (const hosts of opts.hosts.split(',').map(Number)) {
    const files = writeZone(join(base, `zone-${hosts}`), hosts, 1000);
    const targets = {};
    for (const name of SERVERS) {
      targets[name] = name === 'dynzone' ? await dynzoneTarget(files, hosts) : await peerTarget(name, files, hosts);
    }
    if (targets.bind) targets[DNSPERF_ROW] = dnsperfTarget(targets.bind, hosts);
    const rows = Object.keys(targets);

    const results = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const clients of CLIENTS) {
        for (const name of rows) {
          const res = await targets[name].run(clients);
          ((results[name] ??= {})[clients] ??= []).push(res);
          const errors = res.failed ? ` errors ${JSON.stringify(res.errors)}` : '';
          const latency = `p50 ${fmt(res.p50Ms, 2)} ms p99 ${fmt(res.p99Ms, 2)} ms`;
          const seen = `first-query ${res.visibleFirst}/${res.sampled}`;
          log(`round ${r + 1} ${name} ×${clients}: ${fmt(res.perSecond)}/s ${latency}, ${seen}${errors}`);
        }
      }
    }

    const crash = targets.dynzone ? await crashCheck(targets.dynzone, hosts) : undefined;
    for (const t of Object.values(targets)) {
      t.close?.();
      t.dns?.close();
    }
    await stopAll();
    all.sizes[hosts] = { results, crash };
    sections.push(report(hosts, rows, results, crash));
  }
  clearTimeout(cap);

  process.stdout.write(`## Update benchmark, ${all.machine.date}\n\n${all.machine.summary}\n`);
  process.stdout.write(`Rounds ${ROUNDS} × ${SECONDS} s per server and client count `);
  process.stdout.write(`(at most ${MAX_REQUESTS} requests each); medians.\n\n`);
  process.stdout.write(sections.join('\n'));
  process.stdout.write(`\nLoad average at the end: ${loadavg()[0].toFixed(2)}.\n`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(all, null, 2) + '\n');
  if (!opts.keep) rmSync(base, { recursive: true, force: true });
}

main().catch(async (err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  await stopAll();
  process.exitCode = 1;
});
