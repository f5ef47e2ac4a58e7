/**
 * Runs the built command line (`dist/cli.js`) as a child process, the way
 * a person would, in a temp folder with its own configuration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** Absolute path of the built entry point. */
export const CLI = resolve('dist/cli.js');

/** What a finished command printed and returned. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temp folder with a config file whose listeners all use port 0. */
export function tempSetup(extra: Record<string, unknown> = {}): { dir: string; config: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dynzone-cli-'));
  const config = join(dir, 'config.json');
  const raw = {
    dataDir: 'data',
    dns: { listen: ['127.0.0.1:0'] },
    http: { listen: ['127.0.0.1:0'] },
    zones: [
      {
        name: 'dyn.example.net',
        soa: { mname: 'ns1.dyn.example.net', rname: 'hostmaster.example.net', minimum: 60, ttl: 3600 },
        ns: ['ns1.dyn.example.net'],
        records: ['ns1 IN A 127.0.0.1'],
      },
    ],
    log: { level: 'info' },
    ...extra,
  };
  writeFileSync(config, JSON.stringify(raw, null, 2));
  return { dir, config, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `dynzone ARGS` to completion, with optional standard input. */
export function runCli(args: string[], input?: string, timeoutMs = 20000): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** A running `dynzone serve` with the ports it logged. */
export interface Served {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  dnsPort: number;
  httpPort: number;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts `dynzone serve --config FILE` and waits for its listener lines. */
export function serve(config: string, timeoutMs = 20000): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time; stderr: ${stderr}`));
    }, timeoutMs);
    const port = (msg: RegExp): number | undefined => {
      const line = lines.find((l) => msg.test(String(l.msg)));
      return line ? Number(/:(\d+)$/.exec(String(line.listen))?.[1]) : undefined;
    };
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        lines.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        lines.push({ msg: text });
      }
      const dnsPort = port(/DNS listening on UDP/);
      const httpPort = port(/listening on HTTP$/);
      if (dnsPort && httpPort && lines.some((l) => /listening on HTTP$/.test(String(l.msg)))) {
        clearTimeout(timer);
        resolvePromise({ child, lines, dnsPort, httpPort, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}; stderr: ${stderr}`));
    });
  });
}
