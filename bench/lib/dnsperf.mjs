/**
 * One dnsperf run against one server, pinned to the load core, with the
 * server's CPU time read before and after.
 */
import { cpuTimes, run } from './proc.mjs';
import { percentile } from './stats.mjs';

function number(text, re) {
  const m = re.exec(text);
  return m ? Number(m[1]) : NaN;
}

/** Reads dnsperf's closing statistics. */
export function parseDnsperf(text) {
  const latency = /Average Latency \(s\):\s+([\d.]+) \(min ([\d.]+), max ([\d.]+)\)/.exec(text);
  return {
    sent: number(text, /(?:Queries|Updates) sent:\s+(\d+)/),
    completed: number(text, /(?:Queries|Updates) completed:\s+(\d+)/),
    lost: number(text, /(?:Queries|Updates) lost:\s+(\d+)/),
    qps: number(text, /(?:Queries|Updates) per second:\s+([\d.]+)/),
    runTime: number(text, /Run time \(s\):\s+([\d.]+)/),
    avgLatencyMs: latency ? Number(latency[1]) * 1000 : NaN,
    maxLatencyMs: latency ? Number(latency[3]) * 1000 : NaN,
    rcodes: /Response codes:\s+(.*)/.exec(text)?.[1] ?? '',
    responseBytes: number(text, /Average packet size:\s+request \d+, response (\d+)/),
  };
}

/**
 * Runs dnsperf for `seconds` against 127.0.0.1:`port` from core `core`.
 * `qps` caps the rate (-Q); `verbose` collects every answer's latency for
 * percentiles; `updates` sends the file as RFC 2136 updates (-u); `runs`
 * stops after going through the file that many times (-n). Returns the statistics plus `cpuUsPerQuery` of `serverPid`.
 */
export async function dnsperf({
  port, queries, seconds, serverPid, core = 1, qps, outstanding = 100, verbose = false, updates = false, runs,
}) {
  const args = ['-c', String(core), 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', queries];
  if (updates) args.push('-u');
  if (runs) args.push('-n', String(runs));
  args.push('-l', String(seconds), '-c', '1', '-T', '1', '-q', String(outstanding));
  if (qps) args.push('-Q', String(qps));
  if (verbose) args.push('-v');

  const before = cpuTimes(serverPid);
  const out = await run('taskset', args, { timeoutMs: (seconds + 30) * 1000 });
  const after = cpuTimes(serverPid);
  const cpu = after.total - before.total;
  if (out.code !== 0) throw new Error(`dnsperf failed (${out.code ?? out.signal}): ${out.stderr.trim()}`);

  const stats = parseDnsperf(out.stdout);
  if (!Number.isFinite(stats.completed)) throw new Error(`dnsperf output not understood:\n${out.stdout}`);
  stats.serverCpuSeconds = cpu;
  stats.cpuUsPerQuery = stats.completed > 0 ? (cpu * 1e6) / stats.completed : NaN;
  stats.systemShare = cpu > 0 ? (after.system - before.system) / cpu : NaN;
  if (verbose) {
    const latencies = [];
    // Query lines read `> RCODE name type seconds`, update lines `> RCODE zone seconds`.
    for (const m of out.stdout.matchAll(/^> \S+ .* ([\d.]+)$/gm)) latencies.push(Number(m[1]) * 1000);
    latencies.sort((a, b) => a - b);
    stats.p50Ms = percentile(latencies, 0.5);
    stats.p99Ms = percentile(latencies, 0.99);
    stats.p999Ms = percentile(latencies, 0.999);
  }
  return stats;
}
