/**
 * Child process of the crash test: opens the store in the data folder given
 * as the first argument, prints "ready", then keeps a few commits in flight
 * forever and prints the number of each commit once it is acknowledged.
 * The parent kills it with SIGKILL.
 */
import { FileStore, applyOps } from '../../src/store/index.js';
import type { Doc } from '../../src/store/index.js';
import { lastCommit, opsFor } from './store-crash.js';

const IN_FLIGHT = 8;

const [dir, compactAfter] = process.argv.slice(2);
let doc: Doc = {};
const store = new FileStore({ dir: dir as string, compactAfter: Number(compactAfter), snapshot: () => doc });
doc = (await store.open()).doc;
let next = lastCommit(doc) + 1;
process.stdout.write('ready\n');

function issue(): void {
  const n = next++;
  const ops = opsFor(n);
  applyOps(doc, ops);
  store.commit(ops).then(
    () => {
      // Writes to a pipe are synchronous on Linux: once this returns, the parent can read it.
      process.stdout.write(`${n}\n`);
      issue();
    },
    (err: unknown) => {
      process.stderr.write(`commit ${n} failed: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

for (let i = 0; i < IN_FLIGHT; i++) issue();
