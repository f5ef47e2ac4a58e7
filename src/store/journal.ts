/**
 * The journal: files `journal-<first seq>.jsonl` beside the snapshot, one
 * line per commit, `{"s":<seq>,"ops":[...]}`. Only the newest file is
 * appended to; a compaction starts a new one.
 */
import { open, readdir, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, writeAll } from './fs.js';

/** A journal file and the sequence numbers it holds. */
export interface JournalFile {
  path: string;
  /** The first seq, from the file name. */
  start: number;
  /** The last seq in the file; `start - 1` while it is empty. */
  last: number;
}

const JOURNAL_NAME = /^journal-(\d+)\.jsonl$/;

/** The file name of the journal whose first entry is `start`. */
export function journalName(start: number): string {
  return `journal-${start}.jsonl`;
}

/** The journal files in `dir`, oldest first (`last` not yet known: -1). */
export async function listJournals(dir: string): Promise<JournalFile[]> {
  const files: JournalFile[] = [];
  for (const name of await readdir(dir)) {
    const match = JOURNAL_NAME.exec(name);
    if (match) files.push({ path: join(dir, name), start: Number(match[1]), last: -1 });
  }
  return files.sort((a, b) => a.start - b.start);
}

/** One journal line, newline included. `opsJson` is the ops already serialised. */
export function formatEntry(seq: number, opsJson: string): string {
  return `{"s":${seq},"ops":${opsJson}}\n`;
}

/** Deletes journal files, oldest first, so that a crash midway leaves an unbroken run. */
export async function removeJournals(dir: string, files: readonly JournalFile[]): Promise<void> {
  if (files.length === 0) return;

  for (const file of files) await rm(file.path, { force: true });
  await fsyncDir(dir);
}

/**
 * Appends to one journal file. Every append is flushed before it resolves;
 * a failed append is cut off again so no partial line stays in the file.
 */
export class JournalWriter {
  readonly path: string;
  readonly start: number;
  readonly #handle: FileHandle;
  /** Bytes known to be complete entries. */
  #length: number;
  /** A failed append may have left bytes after `#length`. */
  #dirty = false;

  private constructor(path: string, start: number, handle: FileHandle, length: number) {
    this.path = path;
    this.start = start;
    this.#handle = handle;
    this.#length = length;
  }

  /** Creates the new, empty file `journal-<start>.jsonl` in `dir` (mode 0600). */
  static async create(dir: string, start: number): Promise<JournalWriter> {
    const path = join(dir, journalName(start));
    const handle = await open(path, 'wx', 0o600);
    try {
      await fsyncDir(dir);
    } catch (err) {
      await handle.close();
      await rm(path, { force: true });
      throw err;
    }
    return new JournalWriter(path, start, handle, 0);
  }

  /** Opens an existing file to append after its first `length` bytes. */
  static async reopen(file: JournalFile, length: number): Promise<JournalWriter> {
    const handle = await open(file.path, 'r+');
    return new JournalWriter(file.path, file.start, handle, length);
  }

  /**
   * Writes `text`, whole entries each ending with a newline, at the end in
   * one write and flushes it; returns the bytes written. A crash midway
   * thus leaves an unterminated last line, which the load drops.
   */
  async append(text: string): Promise<number> {
    if (!text.endsWith('\n')) throw new TypeError('a journal append must end with a newline');

    const data = Buffer.from(text, 'utf8');
    if (this.#dirty) await this.#cutBack();

    try {
      await writeAll(this.#handle, data, this.#length);
      await this.#handle.datasync();
    } catch (err) {
      this.#dirty = true;
      await this.#cutBack().catch(() => undefined);
      throw err;
    }
    this.#length += data.length;
    return data.length;
  }

  /** Closes the file handle. */
  async close(): Promise<void> {
    await this.#handle.close();
  }

  /** If this fails the next append tries again before writing. */
  async #cutBack(): Promise<void> {
    await this.#handle.truncate(this.#length);
    await this.#handle.datasync();
    this.#dirty = false;
  }
}
