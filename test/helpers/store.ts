/**
 * Helpers for the store tests: a temp data folder per test, and an owner
 * that keeps the document in memory and commits its changes, the way the
 * live state does.
 */
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore, applyOps } from '../../src/store/index.js';
import type { FileStoreOptions } from '../../src/store/index.js';
import type { Doc, Op } from '../../src/store/types.js';

/** The bits of a tap test the helpers use. */
export interface TestLike {
  teardown(fn: () => unknown): void;
}

/** Makes a fresh folder under the system temp folder, removed when the test ends. */
export async function tempDir(t: TestLike, prefix = 'dynzone-store-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of a data folder without its lock, as a crash of its owner would leave it. */
export async function copyAsCrashed(t: TestLike, dir: string): Promise<string> {
  const copy = join(await tempDir(t), 'data');
  await cp(dir, copy, { recursive: true });
  await rm(join(copy, 'dynzone.lock'));
  return copy;
}

/** An in-memory document with its FileStore. */
export class Owner {
  doc: Doc = {};
  readonly store: FileStore;
  warnings: string[] = [];

  constructor(dir: string, options: Partial<FileStoreOptions> = {}) {
    this.store = new FileStore({ dir, snapshot: () => this.doc, ...options });
  }

  /** Opens the store and takes its document. */
  async open(): Promise<this> {
    const { doc, warnings } = await this.store.open();
    this.doc = doc;
    this.warnings = warnings;
    return this;
  }

  /** Applies in memory, then commits; undoes nothing (tests check the disk). */
  change(ops: Op[]): Promise<void> {
    applyOps(this.doc, ops);
    return this.store.commit(ops);
  }

  /** Sets one key under "hosts". */
  set(key: string, value: string | number): Promise<void> {
    return this.change([{ p: ['hosts', key], v: value }]);
  }
}

/** Opens an Owner on `dir`; the caller closes it. */
export function openOwner(dir: string, options: Partial<FileStoreOptions> = {}): Promise<Owner> {
  return new Owner(dir, options).open();
}

/** Opens `dir`, returns its document and closes it again. */
export async function loadDoc(dir: string): Promise<Doc> {
  const owner = await openOwner(dir);
  await owner.store.close();
  return owner.doc;
}

/** The file names in `dir`, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** The permission bits of a file or folder. */
export async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** The journal files in `dir`, oldest first. */
export async function journalFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => /^journal-\d+\.jsonl$/.test(name));
  return names.sort((a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')));
}
