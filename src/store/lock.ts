/**
 * One server per data folder: the file `dynzone.lock` holds the PID of the
 * process that owns the folder. A lock whose process is gone (a crash, a
 * SIGKILL) is stale and taken over.
 */
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StoreLockedError } from '../errors.js';
import { errorCode, tempPath } from './fs.js';

/** A held lock on a data folder. */
export interface Lock {
  /** The lock file's path. */
  readonly file: string;
  /** Removes the lock file if this process still holds it; safe to call twice. */
  release(): Promise<void>;
}

/** The lock file's name inside the data folder. */
export const LOCK_FILE = 'dynzone.lock';

/**
 * Takes the data folder `dir` (which must exist) for this process. Throws a
 * StoreLockedError when a live process, this one included, holds it.
 */
export async function acquireLock(dir: string): Promise<Lock> {
  const file = join(dir, LOCK_FILE);
  // A second try covers a stale lock; a third, another process racing us for it.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(file)) return heldLock(file);

    const holder = await readHolder(file);
    if (holder !== null && isAlive(holder)) throw lockedError(dir, file, holder);

    // Stale. Two processes that find the same stale lock at the same moment
    // could both remove it and both get in; two servers started within
    // milliseconds of each other after a crash are not guarded against.
    await rm(file, { force: true });
  }
  throw new StoreLockedError(`could not take ${file}: other processes keep creating it`);
}

/** The PID of the live process holding `dir`, or null when none does. */
export async function lockHolder(dir: string): Promise<number | null> {
  const holder = await readHolder(join(dir, LOCK_FILE));
  return holder !== null && isAlive(holder) ? holder : null;
}

/**
 * Writes our PID to a private file, then links it to the lock name: the
 * link either fails because the lock exists or makes it appear with its
 * contents complete, so nobody ever reads a half-written lock.
 */
async function tryCreate(file: string): Promise<boolean> {
  // A temp name, so a leftover from a crash is removed at the next open.
  const mine = tempPath(dirname(file), LOCK_FILE);
  await writeFile(mine, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(mine, file);
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(mine, { force: true });
  }
}

function heldLock(file: string): Lock {
  let held = true;
  return {
    file,
    async release() {
      if (!held) return;

      held = false;
      if ((await readHolder(file)) === process.pid) await rm(file, { force: true });
    },
  };
}

/** The PID in the lock file; null when there is none or it is unreadable (a stale lock). */
async function readHolder(file: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/** Signal 0 only checks; EPERM means the process exists under another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

function lockedError(dir: string, file: string, pid: number): StoreLockedError {
  return new StoreLockedError(
    `data folder ${dir} is in use by process ${pid}; stop it first ` +
      `(if no dynzone runs as that process, remove ${file})`,
  );
}
