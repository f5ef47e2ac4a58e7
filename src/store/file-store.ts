/**
 * The durable store on files: a snapshot plus an append-only journal in
 * one data folder, behind a group commit.
 *
 * 1. A commit is queued; if no flush runs, one starts. Commits that arrive
 *    while a flush runs wait together for the next one.
 * 2. A flush appends one line per queued commit to the newest journal file
 *    and fsyncs it, then resolves them all. Its cost follows the size of
 *    the batch, never the size of the document.
 * 3. After `compactAfter` entries, right after a flush that left nothing
 *    queued (so the owner's document is exactly what is on disk), it becomes
 *    the new snapshot, appends move to a new journal file, and journal
 *    files older than the previous snapshot are deleted. Commits go on
 *    meanwhile; the snapshot's seq tells a later load which lines apply.
 *
 * The journal since the previous snapshot is kept, so `snapshot.json.bak`
 * plus the journal is a complete recovery point as well.
 */
import { StoreWriteError } from '../errors.js';
import { openError, prepareDataDir } from './data-dir.js';
import { errorMessage, removeTempFiles } from './fs.js';
import { JournalWriter, formatEntry, removeJournals } from './journal.js';
import type { JournalFile } from './journal.js';
import { acquireLock } from './lock.js';
import type { Lock } from './lock.js';
import { checkOps } from './ops.js';
import { replayJournals } from './replay.js';
import type { Replay } from './replay.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';
import type { Doc, LoadResult, Op, Store } from './types.js';

/** How to build a FileStore. */
export interface FileStoreOptions {
  /** The data folder; created (mode 0700) when missing, else group and other access is taken away. */
  dir: string;
  /**
   * The owner's current document. Called right after a flush, when every
   * commit made so far is on disk and none is queued; it must return the
   * state after exactly those commits (so an owner undoes a rejected change
   * as soon as it learns of it, before awaiting anything). The store
   * serialises it at once and keeps no reference.
   */
  snapshot: () => Doc;
  /** Journal entries before a background snapshot; default 10,000. */
  compactAfter?: number;
  /** Told about a failed background snapshot; the journal still holds every change. */
  onBackgroundError?: (err: StoreWriteError) => void;
}

/** Counters since open, for metrics and tests. */
export interface FileStoreStats {
  /** Journal appends, each followed by one fsync. */
  flushes: number;
  /** Commits written. */
  entries: number;
  /** Bytes appended to the journal. */
  bytes: number;
  /** Snapshots written, each with the old journal files removed after it. */
  snapshots: number;
}

interface Pending {
  opsJson: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

type State = 'new' | 'open' | 'closing' | 'closed';

const DEFAULT_COMPACT_AFTER = 10_000;

/** A Store on a snapshot file and a journal in one data folder. */
export class FileStore implements Store {
  readonly dir: string;
  readonly stats: FileStoreStats = { flushes: 0, entries: 0, bytes: 0, snapshots: 0 };
  readonly #snapshot: () => Doc;
  readonly #compactAfter: number;
  readonly #onBackgroundError: (err: StoreWriteError) => void;

  #state: State = 'new';
  #lock: Lock | null = null;
  #writer: JournalWriter | null = null;
  /** Journal files before the one being written, oldest first. */
  #olderJournals: JournalFile[] = [];
  #queue: Pending[] = [];
  #flushing: Promise<void> | null = null;
  #compacting: Promise<void> | null = null;
  /** Settles (never rejects) when a switch to a new journal file is done. */
  #switching: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  /** The last seq on disk. */
  #lastSeq = 0;
  /** The seq of snapshot.json. */
  #snapshotSeq = 0;
  #nextCompaction = 0;

  constructor(options: FileStoreOptions) {
    const compactAfter = options.compactAfter ?? DEFAULT_COMPACT_AFTER;
    if (!Number.isSafeInteger(compactAfter) || compactAfter < 1) {
      throw new RangeError(`compactAfter must be a positive integer, got ${compactAfter}`);
    }
    this.dir = options.dir;
    this.#snapshot = options.snapshot;
    this.#compactAfter = compactAfter;
    this.#onBackgroundError = options.onBackgroundError ?? (() => undefined);
  }

  /**
   * Prepares and locks the folder, then loads (see Store.open). A file-system
   * fault on the way is a StoreOpenError that names the folder.
   */
  async open(): Promise<LoadResult> {
    if (this.#state !== 'new') throw new Error('FileStore.open() may be called once');

    try {
      return await this.#open();
    } catch (err) {
      throw openError(this.dir, err);
    }
  }

  /** Queues the ops as one journal entry; see Store.commit. */
  commit(ops: Op[]): Promise<void> {
    if (this.#state !== 'open') {
      const message = `the store in ${this.dir} is not open (${this.#state})`;
      return Promise.reject(new StoreWriteError(message));
    }
    let opsJson: string;
    try {
      checkOps(ops);
      opsJson = JSON.stringify(ops);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ opsJson, resolve, reject });
      this.#kick();
    });
  }

  /** Waits for pending commits, writes a final snapshot and releases the folder. */
  close(): Promise<void> {
    if (this.#state === 'new' || this.#state === 'closed') return Promise.resolve();

    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #open(): Promise<LoadResult> {
    const folderWarnings = await prepareDataDir(this.dir);
    const lock = await acquireLock(this.dir);
    try {
      const { doc, warnings } = await this.#load();
      this.#lock = lock;
      this.#state = 'open';
      return { doc, warnings: [...folderWarnings, ...warnings] };
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  async #load(): Promise<LoadResult> {
    await removeTempFiles(this.dir);
    const snapshot = await readSnapshot(this.dir);
    const replay = await replayJournals(this.dir, snapshot);
    this.#snapshotSeq = snapshot.seq;
    this.#lastSeq = replay.lastSeq;
    this.#nextCompaction = snapshot.seq + this.#compactAfter;
    this.#writer = await this.#openNewest(replay);
    return { doc: snapshot.doc, warnings: replay.warnings };
  }

  /** Appends go on in the newest file when it ends at the last seq, else in a new one. */
  async #openNewest(replay: Replay): Promise<JournalWriter> {
    const files = [...replay.files];
    const newest = files.at(-1);
    if (newest && newest.last === this.#lastSeq) {
      this.#olderJournals = files.slice(0, -1);
      return JournalWriter.reopen(newest, replay.tailLength);
    }
    if (newest && newest.last < newest.start) {
      // An empty file that does not continue the journal holds nothing.
      await removeJournals(this.dir, [files.pop() as JournalFile]);
    }
    this.#olderJournals = files;
    return JournalWriter.create(this.dir, this.#lastSeq + 1);
  }

  #kick(): void {
    if (this.#flushing || this.#queue.length === 0) return;

    this.#flushing = this.#flushAll().finally(() => {
      this.#flushing = null;
      this.#kick();
    });
  }

  /** Never rejects: failures reach the commits' promises. */
  async #flushAll(): Promise<void> {
    while (this.#queue.length > 0) {
      await this.#flush(this.#queue.splice(0));
    }
  }

  async #flush(batch: Pending[]): Promise<void> {
    if (this.#switching) await this.#switching;

    const first = this.#lastSeq + 1;
    const text = batch.map((pending, i) => formatEntry(first + i, pending.opsJson)).join('');
    let bytes: number;
    try {
      bytes = await (this.#writer as JournalWriter).append(text);
    } catch (err) {
      this.#failWithQueue(batch, err);
      return;
    }
    this.#lastSeq += batch.length;
    this.stats.flushes++;
    this.stats.entries += batch.length;
    this.stats.bytes += bytes;
    // Nothing queued and the batch not yet resolved: the owner's document
    // is exactly what is on disk, the one moment a snapshot may be taken.
    if (this.#queue.length === 0) this.#maybeCompact();
    for (const pending of batch) pending.resolve();
  }

  /** The owner rolls rejected changes back; those queued behind assumed them, so they go too. */
  #failWithQueue(batch: Pending[], cause: unknown): void {
    const message =
      `could not write the journal in ${this.dir} (${errorMessage(cause)}); ` +
      'the change was not saved';
    const error = new StoreWriteError(message, { cause });
    for (const pending of [...batch, ...this.#queue.splice(0)]) pending.reject(error);
  }

  #maybeCompact(): void {
    if (this.#state !== 'open' || this.#compacting || this.#lastSeq < this.#nextCompaction) return;

    this.#compacting = this.#compact()
      .catch((err: unknown) => this.#onBackgroundError(asWriteError(err, 'background snapshot')))
      .finally(() => {
        this.#compacting = null;
      });
  }

  async #compact(): Promise<void> {
    const seq = this.#lastSeq;
    this.#nextCompaction = seq + this.#compactAfter;
    const written = this.#writeSnapshot(seq);
    const switched = this.#switchJournal(seq + 1);
    const [snapshot, journal] = await Promise.allSettled([written, switched]);
    if (snapshot.status === 'rejected') throw snapshot.reason;
    if (journal.status === 'rejected') throw journal.reason;
  }

  /** Serialises the owner's document now, writes it, then drops journals older than the backup. */
  async #writeSnapshot(seq: number): Promise<void> {
    const written = writeSnapshot(this.dir, { seq, doc: this.#snapshot() });
    const backupSeq = this.#snapshotSeq;
    await written;
    this.#snapshotSeq = seq;
    const [old, kept] = partition(this.#olderJournals, (file) => file.last <= backupSeq);
    this.#olderJournals = kept;
    await removeJournals(this.dir, old);
    this.stats.snapshots++;
  }

  /** New appends wait for this, so that entry `start` opens the new file. */
  #switchJournal(start: number): Promise<void> {
    if ((this.#writer as JournalWriter).start === start) return Promise.resolve();

    const switching = this.#openNextJournal(start);
    const clearSwitching = (): void => {
      this.#switching = null;
    };
    this.#switching = switching.then(clearSwitching, clearSwitching);
    return switching;
  }

  async #openNextJournal(start: number): Promise<void> {
    const next = await JournalWriter.create(this.dir, start);
    const previous = this.#writer as JournalWriter;
    this.#olderJournals.push({ path: previous.path, start: previous.start, last: start - 1 });
    this.#writer = next;
    await previous.close();
  }

  async #close(): Promise<void> {
    this.#state = 'closing';
    while (this.#flushing || this.#compacting) await (this.#flushing ?? this.#compacting);

    try {
      if (this.#lastSeq > this.#snapshotSeq) await this.#writeSnapshot(this.#lastSeq);
    } catch (err) {
      throw asWriteError(err, 'final snapshot');
    } finally {
      await (this.#writer as JournalWriter).close();
      await (this.#lock as Lock).release();
      this.#state = 'closed';
    }
  }
}

function asWriteError(err: unknown, what: string): StoreWriteError {
  if (err instanceof StoreWriteError) return err;

  return new StoreWriteError(`${what} failed: ${errorMessage(err)}`, { cause: err });
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
