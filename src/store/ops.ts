/**
 * The meaning of an Op, shared by the owner of the document (in memory) and
 * by the store (when it replays the journal at start).
 */
import type { Doc, Json, Op } from './types.js';

type Obj = { [key: string]: Json };

/**
 * Applies the operations in order to `doc`, in place, and returns it. A set
 * creates missing objects on its path and replaces a non-object it meets
 * there; a delete of an absent path does nothing. Values are kept by
 * reference, not copied.
 */
export function applyOps(doc: Doc, ops: readonly Op[]): Doc {
  for (const op of ops) {
    checkOp(op);
    if (op.v === undefined) deletePath(doc, op.p);
    else setPath(doc, op.p, op.v);
  }
  return doc;
}

/** Throws a TypeError unless every op has a non-empty path of strings. */
export function checkOps(ops: readonly Op[]): void {
  if (!Array.isArray(ops)) throw new TypeError('ops must be an array');

  for (const op of ops) checkOp(op);
}

function checkOp(op: Op): void {
  const path: unknown = isObject(op) ? op.p : undefined;
  if (Array.isArray(path) && path.length > 0 && path.every((key) => typeof key === 'string')) return;

  throw new TypeError(`invalid op ${JSON.stringify(op)}: "p" must be a non-empty array of strings`);
}

function setPath(doc: Obj, path: string[], value: Json): void {
  let node = doc;
  for (const key of path.slice(0, -1)) {
    let child = getOwn(node, key);
    if (!isObject(child)) {
      child = {};
      setOwn(node, key, child);
    }
    node = child;
  }
  setOwn(node, path[path.length - 1] as string, value);
}

function deletePath(doc: Obj, path: string[]): void {
  const trail: Obj[] = [doc];
  for (const key of path.slice(0, -1)) {
    const child = getOwn(trail[trail.length - 1] as Obj, key);
    if (!isObject(child)) return;

    trail.push(child);
  }

  const node = trail[trail.length - 1] as Obj;
  const last = path[path.length - 1] as string;
  if (!Object.hasOwn(node, last)) return;

  delete node[last];
  // trail[i] is the object at path[0..i-1]; the root document always stays.
  for (let i = trail.length - 1; i > 0 && isEmpty(trail[i] as Obj); i--) {
    delete (trail[i - 1] as Obj)[path[i - 1] as string];
  }
}

function getOwn(node: Obj, key: string): Json | undefined {
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

/** Plain assignment would set the prototype for the key "__proto__". */
function setOwn(node: Obj, key: string, value: Json): void {
  if (key === '__proto__') {
    const own = { value, writable: true, enumerable: true, configurable: true };
    Object.defineProperty(node, key, own);
    return;
  }
  node[key] = value;
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmpty(node: Obj): boolean {
  for (const key in node) if (Object.hasOwn(node, key)) return false;
  return true;
}
