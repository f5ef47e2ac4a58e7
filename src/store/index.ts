/**
 * The durable store: a snapshot and a journal in one data folder, a lock so
 * one process owns it, and the meaning of an Op.
 */
export { DurableJsonFile } from './adapter.js';
export type { Validator } from './adapter.js';
export { FileStore } from './file-store.js';
export type { FileStoreOptions, FileStoreStats } from './file-store.js';
export { LOCK_FILE, acquireLock, lockHolder } from './lock.js';
export type { Lock } from './lock.js';
export { applyOps, checkOps } from './ops.js';
export type { Doc, Json, LoadResult, Op, Store } from './types.js';
