/**
 * The data folder at open: made when missing, checked to be a folder, and
 * kept owner-only. File-system errors on the way out of open become a
 * StoreOpenError that names the folder and says what is wrong with it.
 */
import { chmod, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynzoneError, StoreOpenError } from '../errors.js';
import { errorCode, errorMessage, isTempPath, makeDir } from './fs.js';

/** Owner bits plus setgid and sticky: what is left once group and others lose access. */
const OWNER_ONLY = 0o7700;

/** Errors of a chmod that is not ours to make; the first real write reports any true problem. */
const CHMOD_REFUSED = new Set(['EPERM', 'EROFS']);

interface Reason {
  what: string;
  hint: string;
}

const FILE_HINT = 'point dataDir at a folder, or move the file away';
const PERMISSION_HINT = 'run dynzone as the user that owns the folder, or give the folder to that user';

/** What a system error code means for the data folder, and what the operator can do. */
const REASONS: Record<string, Reason> = {
  ENOTDIR: { what: 'a part of its path is a file, not a folder', hint: FILE_HINT },
  EROFS: { what: 'read-only file system', hint: 'point dataDir at a writable file system' },
  EACCES: { what: 'permission denied', hint: PERMISSION_HINT },
  EPERM: { what: 'permission denied', hint: PERMISSION_HINT },
  ENOSPC: { what: 'no space left on the device', hint: 'free some space' },
  EDQUOT: { what: 'disk quota exceeded', hint: 'free some space or raise the quota' },
};

/**
 * Makes `dir` (mode 0700) when missing, checks that it is a folder, and
 * takes access away from group and others when they have some. Returns
 * warnings for the load result.
 */
export async function prepareDataDir(dir: string): Promise<string[]> {
  await makeDir(dir, 0o700);
  const info = await stat(dir);
  if (!info.isDirectory()) throw notAFolder(dir, info.isFile());

  return tighten(dir, info.mode & 0o7777);
}

/**
 * A folder made by someone else (a git checkout, an unpacked backup) may be
 * group- or world-readable; the data is not theirs to read. The mode is
 * only changed when it differs, and never loosened.
 */
async function tighten(dir: string, mode: number): Promise<string[]> {
  const wanted = mode & OWNER_ONLY;
  if (wanted === mode) return [];

  try {
    await chmod(dir, wanted);
    return [];
  } catch (err) {
    if (!CHMOD_REFUSED.has(errorCode(err) ?? '')) throw err;

    return [`could not make ${dir} owner-only (${errorMessage(err)}); other users may read the data`];
  }
}

/**
 * `err` as a StoreOpenError naming `dir` when it is a system error; errors
 * dynzone raised on purpose, and programming errors, come back unchanged.
 */
export function openError(dir: string, err: unknown): unknown {
  const code = errorCode(err);
  if (err instanceof DynzoneError || code === undefined || code.startsWith('ERR_')) return err;

  const reason = REASONS[code];
  const problem = reason ? `${reason.what}${where(dir, err)}; ${reason.hint}` : errorMessage(err);
  return new StoreOpenError(`cannot use the data folder ${dir}: ${problem}`, { cause: err });
}

/** The file the error happened on, unless it is the folder itself or a temp file of ours. */
function where(dir: string, err: unknown): string {
  const path = (err as { path?: unknown }).path;
  if (typeof path !== 'string' || resolve(path) === resolve(dir) || isTempPath(path)) return '';

  return ` (at ${path})`;
}

function notAFolder(dir: string, isFile: boolean): StoreOpenError {
  const what = isFile ? 'it is a file, not a folder' : 'it is not a folder';
  return new StoreOpenError(`cannot use the data folder ${dir}: ${what}; ${FILE_HINT}`);
}
