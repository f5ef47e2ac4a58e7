/**
 * The live state: zones and directory in memory (the truth), and the store
 * that keeps their durable copy. A change is applied in memory at once, so
 * the next query sees it, then committed; the caller answers only after
 * the commit. When a write fails, that change and every change queued
 * behind it are undone, newest first, so memory never runs ahead of disk.
 */
import { Directory } from './auth/directory.js';
import { RecordSyntaxError, StoreCorruptError } from './errors.js';
import type { Logger } from './log.js';
import type { Doc, Json, Store } from './store/types.js';
import { isObject, ZoneSet, type ZoneConfig } from './zone/zones.js';

/** A change made in memory: its store operations and how to take it back. */
export interface Change {
  ops: { p: string[]; v?: Json }[];
  undo: () => void;
}

/** A change on its way to disk. */
interface Pending {
  change: Change;
  done: Promise<void>;
}

/** Zones, directory and store, kept in step. */
export class State {
  readonly zones: ZoneSet;
  readonly directory: Directory;
  readonly #store: Store;
  /** Changes applied in memory whose commit has not finished, oldest first. */
  readonly #pending: Pending[] = [];

  private constructor(zones: ZoneSet, directory: Directory, store: Store) {
    this.zones = zones;
    this.directory = directory;
    this.#store = store;
  }

  /**
   * Opens the store and builds the state from configuration and document.
   * Problems in configured or stored records are fatal: they are thrown
   * together as one RecordSyntaxError.
   */
  static async open(zoneConfigs: readonly ZoneConfig[], store: Store, logger: Logger): Promise<State> {
    const { doc, warnings } = await store.open();
    for (const warning of warnings) logger.warn({ store: warning }, 'store repaired on load');

    const { zones, problems } = ZoneSet.build(zoneConfigs, isObject(doc.zones) ? (doc.zones as never) : {});
    problems.push(...directoryProblems(doc));
    if (problems.length > 0) {
      await store.close().catch(() => undefined);
      const stored = problems.some((p) => p.startsWith('stored'));
      const text = `bad records:\n  ${problems.join('\n  ')}`;
      throw stored ? new StoreCorruptError(`${text}\nThe data folder holds data this version cannot read; restore a backup or snapshot.json.bak.`) : new RecordSyntaxError(text);
    }
    return new State(zones, new Directory(doc as never), store);
  }

  /** The whole state as a document, for a snapshot. */
  snapshot(): Doc {
    return { version: 1, zones: this.zones.toDoc(), ...this.directory.toDoc() };
  }

  /**
   * Commits a change already applied in memory. Resolves when it is on
   * disk; on failure undoes it (and all changes behind it) and rethrows.
   * A change with nothing to write still waits for the changes before it:
   * "nothing changed" may rest on a change that is not on disk yet, and
   * must not be acknowledged before that one is (or fail with it).
   */
  async commit(change: Change): Promise<void> {
    if (change.ops.length === 0) return this.#pending.at(-1)?.done;

    const entry = { change } as Pending;
    this.#pending.push(entry);
    entry.done = this.#write(change);
    entry.done.catch(() => undefined);
    return entry.done;
  }

  async #write(change: Change): Promise<void> {
    try {
      await this.#store.commit(change.ops);
    } catch (err) {
      this.#rollbackFrom(change);
      throw err;
    }
    const i = this.#pending.findIndex((p) => p.change === change);
    if (i >= 0) this.#pending.splice(i, 1);
  }

  /** Waits for pending commits, writes a final snapshot and closes the store. */
  async close(): Promise<void> {
    await this.#store.close();
  }

  #rollbackFrom(change: Change): void {
    const i = this.#pending.findIndex((p) => p.change === change);
    if (i < 0) return;

    const undone = this.#pending.splice(i);
    for (const p of undone.reverse()) p.change.undo();
  }
}

/** Checks the shape of the stored accounts, domains and tokens. */
function directoryProblems(doc: Doc): string[] {
  const problems: string[] = [];
  if (doc.zones !== undefined && !isObject(doc.zones)) problems.push('stored zones: not an object');
  for (const key of ['accounts', 'domains', 'tokens']) {
    const part = doc[key];
    if (part === undefined) continue;
    if (!isObject(part) || !Object.values(part).every(isObject)) problems.push(`stored ${key}: not an object of objects`);
  }
  const domains = isObject(doc.domains) ? Object.values(doc.domains) : [];
  if (domains.some((d) => typeof (d as { account?: unknown }).account !== 'string')) problems.push('stored domains: an entry has no account');
  const tokens = isObject(doc.tokens) ? Object.values(doc.tokens) : [];
  if (tokens.some((t) => typeof (t as { digest?: unknown }).digest !== 'string' || typeof (t as { account?: unknown }).account !== 'string')) {
    problems.push('stored tokens: an entry has no digest or account');
  }
  return problems;
}

/** Joins several changes into one, undone in reverse order. */
export function combine(...changes: Change[]): Change {
  return {
    ops: changes.flatMap((c) => c.ops),
    undo: () => [...changes].reverse().forEach((c) => c.undo()),
  };
}
