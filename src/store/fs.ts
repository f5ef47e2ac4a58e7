/** Small file-system steps the store needs to be durable. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** `.<name>.<pid>.<12 hex digits>.tmp`, as tempPath makes them. */
const TEMP_NAME = /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/;

/** A unique hidden temp file path in `dir`, for a file that will become `name`. */
export function tempPath(dir: string, name: string): string {
  return join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Whether `path` names a temp file as tempPath makes them. */
export function isTempPath(path: string): boolean {
  return TEMP_NAME.test(basename(path));
}

/** Removes temp files a crash left in `dir`; only for the process that holds the folder. */
export async function removeTempFiles(dir: string): Promise<void> {
  const temps = (await readdir(dir)).filter(isTempPath);
  await Promise.all(temps.map((name) => rm(join(dir, name), { force: true })));
}

/**
 * Creates `dir` and any missing parents with `mode`, one level at a time,
 * and flushes each new entry to disk. A recursive mkdir would report a
 * read-only file system as ENOENT; one level at a time gives the real cause.
 */
export async function makeDir(dir: string, mode: number): Promise<void> {
  for (const path of await missingDirs(resolve(dir))) {
    try {
      await mkdir(path, { mode });
    } catch (err) {
      // Made meanwhile by someone else; the caller checks what it is.
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    await fsyncDir(dirname(path));
  }
}

/** The absolute path `dir` and its parents that do not exist yet, outermost first. */
async function missingDirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let path = dir; !(await exists(path)); path = dirname(path)) {
    missing.unshift(path);
    if (dirname(path) === path) break;
  }
  return missing;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/** Flushes a folder's entries (new, renamed or removed files) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes all of `data` at `position`, continuing after short writes. */
export async function writeAll(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const length = data.length - done;
    const { bytesWritten } = await handle.write(data, done, length, position + done);
    if (bytesWritten === 0) throw new Error('the file system accepted no bytes');

    done += bytesWritten;
  }
}

/** The `code` of a Node system error, if it has one. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
