/**
 * The durable store keeps one JSON document: a snapshot file plus an
 * append-only journal of changes. It knows nothing of zones or accounts;
 * `zone/` and `auth/` describe their state as a document and their changes
 * as path operations on it.
 */

/** A JSON value as the store writes it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The whole persisted document. */
export type Doc = { [key: string]: Json };

/**
 * One change: set the value at a path of object keys, or delete it when
 * `v` is absent. Missing intermediate objects are created on set; a delete
 * also removes parents that become empty objects.
 */
export interface Op {
  p: string[];
  v?: Json;
}

/** What `open()` found on disk. */
export interface LoadResult {
  doc: Doc;
  /** Human-readable notes: repairs (a dropped torn journal line), a folder left readable to others. */
  warnings: string[];
}

/** The seam between the in-memory state and its durable copy. */
export interface Store {
  /** Reads snapshot and journal; an absent folder or file is an empty doc. */
  open(): Promise<LoadResult>;
  /**
   * Appends the operations as one atomic journal entry. Resolves only when
   * the entry is on disk (fsync'd); entries arriving during a flush share
   * the next one. Rejects with a StoreWriteError when the write fails.
   */
  commit(ops: Op[]): Promise<void>;
  /** Waits for pending commits, writes a final snapshot, releases files. */
  close(): Promise<void>;
}
