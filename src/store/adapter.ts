/**
 * A lowdb adapter that keeps one JSON file durably: the data is written
 * compactly to a temp file beside the target and flushed, the previous
 * file is kept as `<file>.bak`, the temp file is renamed over the target
 * and the folder is flushed. A power cut leaves either the old or the new
 * file, never a half-written one.
 */
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Adapter } from 'lowdb';
import { StoreCorruptError, StoreWriteError } from '../errors.js';
import { errorCode, errorMessage, fsyncDir, tempPath } from './fs.js';

/** Tells whether parsed JSON has the shape the caller expects. */
export type Validator<T> = (value: unknown) => value is T;

/** A durable JSON file for lowdb's `Low`; it refuses to read a damaged file. */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly file: string;
  readonly #isValid: Validator<T>;

  constructor(file: string, isValid: Validator<T>) {
    this.file = file;
    this.#isValid = isValid;
  }

  /** The parsed file, or null when it does not exist; a StoreCorruptError when it is damaged. */
  async read(): Promise<T | null> {
    const text = await readText(this.file);
    if (text === null) return null;

    return this.#parse(text);
  }

  /** Replaces the file with `data`; throws a StoreWriteError on failure. */
  async write(data: T): Promise<void> {
    // Serialise before the first await: callers may change `data` as soon
    // as this returns, and what they hand over is the state at this moment.
    const text = JSON.stringify(data);
    try {
      await replaceFile(this.file, text);
    } catch (err) {
      const message = `could not write ${this.file}: ${errorMessage(err)}`;
      throw new StoreWriteError(message, { cause: err });
    }
  }

  #parse(text: string): T {
    if (text.trim() === '') throw this.#corrupt('is empty');

    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw this.#corrupt(`is not valid JSON (${errorMessage(err)})`, err);
    }
    if (!this.#isValid(value)) throw this.#corrupt('does not hold the expected data');

    return value;
  }

  #corrupt(problem: string, cause?: unknown): StoreCorruptError {
    const message =
      `${this.file} ${problem}; it was left untouched. To recover, copy ${this.file}.bak ` +
      'over it (the previous version), or move the file away, then start again.';
    return new StoreCorruptError(message, cause === undefined ? undefined : { cause });
  }
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
}

async function replaceFile(file: string, text: string): Promise<void> {
  const temp = tempPath(dirname(file), basename(file));
  try {
    await writeSynced(temp, text);
    await keepBackup(file);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(file));
}

async function writeSynced(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A hard link keeps the old contents as the backup; the rename then replaces only the target. */
async function keepBackup(file: string): Promise<void> {
  const backup = `${file}.bak`;
  await rm(backup, { force: true });
  try {
    await link(file, backup);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
}
