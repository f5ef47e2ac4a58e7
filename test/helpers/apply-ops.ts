/** Applies store operations to a plain document (test-side reference copy). */
import type { Doc, Json, Op } from '../../src/store/types.js';

type Obj = { [key: string]: Json };

/** Sets or deletes each path, creating and pruning parent objects. */
export function applyOpsForTest(doc: Doc, ops: Op[]): void {
  for (const { p, v } of ops) {
    const parents: Obj[] = [doc];
    let node: Obj = doc;
    for (const key of p.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
        if (v === undefined) return;
        node[key] = {};
      }
      node = node[key] as Obj;
      parents.push(node);
    }
    const last = p[p.length - 1] as string;
    if (v !== undefined) node[last] = v;
    else delete node[last];
    for (let i = parents.length - 1; i > 0 && Object.keys(parents[i] as Obj).length === 0; i--) {
      delete (parents[i - 1] as Obj)[p[i - 1] as string];
    }
  }
}
