/**
 * The snapshot file, `snapshot.json`: the whole document as of journal
 * entry `seq`, read and written through lowdb's `Low` and our durable
 * adapter (never lowdb's file presets, which turn into memory stores when
 * NODE_ENV is "test").
 */
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile } from './adapter.js';
import type { Doc } from './types.js';

/** What `snapshot.json` holds. */
export interface Snapshot {
  seq: number;
  doc: Doc;
}

/** The snapshot's file name inside the data folder. */
export const SNAPSHOT_FILE = 'snapshot.json';

/** Reads the snapshot; an absent file is the empty document at seq 0. */
export async function readSnapshot(dir: string): Promise<Snapshot> {
  const low = new Low<Snapshot>(adapterFor(dir), { seq: 0, doc: {} });
  await low.read();
  return low.data;
}

/**
 * Writes the snapshot durably. The document is serialised before this
 * returns (Low hands it to the adapter synchronously), so the caller may
 * go on changing it at once.
 */
export function writeSnapshot(dir: string, snapshot: Snapshot): Promise<void> {
  return new Low<Snapshot>(adapterFor(dir), snapshot).write();
}

function adapterFor(dir: string): DurableJsonFile<Snapshot> {
  return new DurableJsonFile(join(dir, SNAPSHOT_FILE), isSnapshot);
}

function isSnapshot(value: unknown): value is Snapshot {
  if (typeof value !== 'object' || value === null) return false;

  const { seq, doc } = value as Partial<Snapshot>;
  return Number.isSafeInteger(seq) && (seq as number) >= 0 && isPlainObject(doc);
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
