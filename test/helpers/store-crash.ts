/**
 * The workload of the crash test, shared by the child that runs it and the
 * parent that checks what survived: commit n sets key n, records n as the
 * last commit, and every fifth one deletes an earlier key.
 */
import { applyOps } from '../../src/store/index.js';
import type { Doc, Op } from '../../src/store/index.js';

/** The ops of commit number `n` (from 1). */
export function opsFor(n: number): Op[] {
  const ops: Op[] = [
    { p: ['n', String(n)], v: { n, pad: 'x'.repeat(n % 97) } },
    { p: ['last'], v: n },
  ];
  if (n % 5 === 0) ops.push({ p: ['n', String(n - 3)] });
  return ops;
}

/** The number of the last commit a document holds (0 for none). */
export function lastCommit(doc: Doc): number {
  return typeof doc.last === 'number' ? doc.last : 0;
}

/** The document after commits 1 to `last`, built on from `model` when it is behind. */
export function modelAt(last: number, model: { doc: Doc; last: number } = { doc: {}, last: 0 }): Doc {
  if (model.last > last) Object.assign(model, { doc: {}, last: 0 });
  for (let n = model.last + 1; n <= last; n++) applyOps(model.doc, opsFor(n));
  model.last = last;
  return model.doc;
}
