/**
 * A Store that keeps its document in memory, for unit tests of the layers
 * above the store. It can be told to fail the next commits, the way a full
 * disk would.
 */
import { StoreWriteError } from '../../src/errors.js';
import { applyOpsForTest } from './apply-ops.js';
import type { Doc, LoadResult, Op, Store } from '../../src/store/types.js';

/** In-memory Store with a switch to make commits fail. */
export class MemoryStore implements Store {
  doc: Doc;
  commits: Op[][] = [];
  failNext = 0;

  constructor(doc: Doc = {}) {
    this.doc = structuredClone(doc);
  }

  async open(): Promise<LoadResult> {
    return { doc: structuredClone(this.doc), warnings: [] };
  }

  async commit(ops: Op[]): Promise<void> {
    await Promise.resolve();
    if (this.failNext > 0) {
      this.failNext--;
      throw new StoreWriteError('simulated write failure');
    }
    applyOpsForTest(this.doc, ops);
    this.commits.push(ops);
  }

  async close(): Promise<void> {}
}
