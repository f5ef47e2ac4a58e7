/**
 * Processes of a benchmark run: started pinned to a core, measured through
 * /proc, and stopped by their PID. Nothing here ever signals a process it
 * did not start.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, openSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Clock ticks per second of utime/stime in /proc (getconf CLK_TCK; 100 on Linux). */
const CLK_TCK = 100;

/** Reads /proc/PID/stat; fields after the command name, which may hold spaces. */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** PIDs of `pid` and every process below it. */
export function processTree(pid) {
  const parentOf = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parentOf.set(Number(entry), Number(statFields(entry)[1]));
    } catch {
      // The process ended while the list was read.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  }
  return tree;
}

/** CPU seconds used so far by `pid` and its children still running: { user, system, total }. */
export function cpuTimes(pid) {
  let user = 0;
  let system = 0;
  for (const p of processTree(pid)) {
    try {
      const f = statFields(p);
      user += Number(f[11]);
      system += Number(f[12]);
    } catch {
      // Gone between listing and reading.
    }
  }
  return { user: user / CLK_TCK, system: system / CLK_TCK, total: (user + system) / CLK_TCK };
}

/** CPU seconds (user + system) used so far by `pid` and its children still running. */
export function cpuSeconds(pid) {
  return cpuTimes(pid).total;
}

/** Resident memory in KiB of `pid` and the processes below it, and how many there are. */
export function rss(pid) {
  let kib = 0;
  const pids = processTree(pid);
  for (const p of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kib += Number(m?.[1] ?? 0);
    } catch {
      // Gone between listing and reading.
    }
  }
  return { kib, processes: pids.length };
}

/**
 * Starts `command` pinned to `core` with taskset (which execs it, so the PID
 * is the program's own). Output goes to `logFile`. Returns the child and the
 * time it was spawned (performance.now()).
 */
export function spawnPinned(core, command, args, { logFile, env, cwd } = {}) {
  const fd = logFile ? openSync(logFile, 'a') : 'ignore';
  const startedAt = performance.now();
  const child = spawn('taskset', ['-c', String(core), command, ...args], {
    stdio: ['ignore', fd, fd],
    env: env ?? process.env,
    cwd,
  });
  if (typeof fd === 'number') closeSync(fd);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid, startedAt };
}

/** Stops a child we started: SIGTERM, then SIGKILL after `graceMs`. Resolves when it is gone. */
export async function stop(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const done = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await child.exited;
  }
}

/** Runs a command to its end with a time cap; resolves with its output and status. */
export function run(command, args, { timeoutMs = 60000, input, env, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Pins every thread of this process to `core`, so the load it makes stays off the server's core. */
export function pinSelf(core) {
  const out = spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`taskset could not pin this process: ${out.stderr}`);
}
