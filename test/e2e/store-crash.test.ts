/**
 * Crash safety: a child process commits in a loop and reports each
 * acknowledged commit; it is killed with SIGKILL at a random moment, many
 * times over. After every kill the folder must load, and hold every
 * acknowledged commit (and, since commits are ordered, exactly a prefix of
 * them). A small compactAfter makes kills land inside compactions too.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import type { Test } from 'tap';
import type { Doc } from '../../src/store/index.js';
import { copyAsCrashed, openOwner, tempDir } from '../helpers/store.js';
import type { TestLike } from '../helpers/store.js';
import { lastCommit, modelAt } from '../helpers/store-crash.js';

const CHILD = fileURLToPath(new URL('../helpers/store-crash-child.ts', import.meta.url));
const ROUNDS = 30;
const COMPACT_AFTER = 20;
const MAX_KILL_DELAY_MS = 400;
const READY_TIMEOUT_MS = 30_000;

interface Run {
  child: ChildProcess;
  /** The highest commit number the child reported as acknowledged. */
  acked: number;
  ready: Promise<void>;
  closed: Promise<unknown>;
  stderr: string;
}

/** Starts the child with the same loader flags as this test, so it runs the TypeScript sources. */
function startChild(dir: string): Run {
  const child = spawn(process.execPath, [...process.execArgv, CHILD, dir, String(COMPACT_AFTER)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { child, acked: 0, ready: Promise.resolve(), closed: once(child, 'close'), stderr: '' };
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (run.stderr += text));
  run.ready = new Promise((resolve) => {
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() as string;
      for (const line of lines) {
        if (line === 'ready') resolve();
        else run.acked = Math.max(run.acked, Number(line));
      }
    });
  });
  return run;
}

/** Waits for "ready" (or an early exit), lets it run for `delay` ms, kills it and waits until it is gone. */
async function killAfter(run: Run, delay: number): Promise<'ready' | 'exited' | 'timeout'> {
  const first = await Promise.race([
    run.ready.then(() => 'ready' as const),
    run.closed.then(() => 'exited' as const),
    sleep(READY_TIMEOUT_MS, 'timeout' as const, { ref: false }),
  ]);
  if (first === 'ready') await sleep(delay);
  run.child.kill('SIGKILL');
  await run.closed;
  return first;
}

/** Loads a copy of the crashed folder, so the next child meets the folder exactly as the crash left it. */
async function loadCopy(t: TestLike, dir: string): Promise<{ doc: Doc; warnings: string[] }> {
  const owner = await openOwner(await copyAsCrashed(t, dir));
  await owner.store.close();
  return { doc: owner.doc, warnings: owner.warnings };
}

t.test('every acknowledged commit survives SIGKILL at random moments, compactions included', async (t) => {
  const dir = await tempDir(t);
  const model = { doc: {}, last: 0 };
  let acked = 0;
  let repaired = 0;
  let running: Run | null = null;
  t.teardown(() => running?.child.kill('SIGKILL'));

  for (let round = 1; round <= ROUNDS; round++) {
    const delay = Math.floor(Math.random() * MAX_KILL_DELAY_MS);
    running = startChild(dir);
    const outcome = await killAfter(running, delay);
    if (outcome !== 'ready') {
      t.fail(`round ${round}: the child did not start (${outcome}): ${running.stderr}`);
      break;
    }
    acked = Math.max(acked, running.acked);

    const { doc, warnings } = await loadCopy(t, dir);
    const last = lastCommit(doc);
    repaired += warnings.length;
    t.ok(last >= acked, `round ${round} (killed after ${delay} ms): holds ${last}, acknowledged ${acked}`);
    t.ok(isDeepStrictEqual(doc, modelAt(last, model)), `round ${round}: the document is exactly commits 1 to ${last}`);
  }

  const names = await readdir(dir);
  t.ok(names.includes('snapshot.json'), 'compactions ran in the child');
  t.comment(`${acked} commits acknowledged; ${repaired} torn lines dropped on load`);
  const owner = await openOwner(dir);
  t.ok(lastCommit(owner.doc) >= acked, 'the folder itself loads after the last kill');
  await owner.store.close();
});
