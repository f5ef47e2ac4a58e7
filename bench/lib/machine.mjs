/**
 * What the results were measured on, for the README table.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { spawnSync } from 'node:child_process';

/** A program's version from its output (some print it on stderr, some exit non-zero). */
function version(command, args, pattern) {
  const out = spawnSync(command, args, { encoding: 'utf8', timeout: 10000 });
  return pattern.exec(`${out.stdout ?? ''}${out.stderr ?? ''}`)?.[1] ?? '?';
}

/** Date, CPU, core count and the versions of the programs compared. */
export function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  const info = {
    date: new Date().toISOString().slice(0, 10),
    cpu,
    nproc: cpus().length,
    kernel: release(),
    node: process.version,
    nsd: version('nsd', ['-v'], /NSD version (\S+)/),
    knot: version('knotd', ['-V'], /version (\S+)/),
    bind: version('named', ['-v'], /BIND (\S+)/),
    dnsperf: version('dnsperf', ['-h'], /Version (\S+)/),
  };
  info.summary =
    `Machine: ${info.cpu}, ${info.nproc} cores, Linux ${info.kernel}; Node ${info.node}, ` +
    `NSD ${info.nsd}, Knot ${info.knot}, BIND ${info.bind}, dnsperf ${info.dnsperf}. ` +
    `Load average at the start: ${loadavg()[0].toFixed(2)}.\n`;
  return info;
}
