/**
 * The data folder at open: kept owner-only without needless chmods, and
 * file-system problems reported as a StoreOpenError that names the folder.
 */
import * as fs from 'node:fs/promises';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { StoreCorruptError, StoreOpenError } from '../../src/errors.js';
import { openError } from '../../src/store/data-dir.js';
import { modeOf, openOwner, tempDir } from '../helpers/store.js';
import type { TestLike } from '../helpers/store.js';

/** The chmods the store makes; with `refuse` set they fail with that code, as on another user's folder. */
const chmods = { calls: [] as string[], refuse: null as string | null };

async function recordedChmod(path: string, mode: number): Promise<void> {
  chmods.calls.push(`${path} ${mode.toString(8)}`);
  if (chmods.refuse === null) return fs.chmod(path, mode);

  const message = `${chmods.refuse}: refused, chmod '${path}'`;
  throw Object.assign(new Error(message), { code: chmods.refuse, path });
}

const dataDir = await t.mockImport<typeof import('../../src/store/data-dir.js')>('../../src/store/data-dir.js', {
  'node:fs/promises': { ...fs, chmod: recordedChmod },
});
const { FileStore } = await t.mockImport<typeof import('../../src/store/file-store.js')>(
  '../../src/store/file-store.js',
  { '../../src/store/data-dir.js': dataDir },
);

/** Opens a FileStore whose chmods are recorded, closed when the test ends; returns its warnings. */
async function openRecorded(t: TestLike, dir: string): Promise<string[]> {
  chmods.calls = [];
  const store = new FileStore({ dir, snapshot: () => ({}) });
  t.teardown(() => store.close());
  return (await store.open()).warnings;
}

t.test('takes group and other access away from an existing folder, and only then calls chmod', async (t) => {
  const rows = [
    { mode: 0o755, after: 0o700, calls: 1 },
    { mode: 0o770, after: 0o700, calls: 1 },
    { mode: 0o707, after: 0o700, calls: 1 },
    { mode: 0o700, after: 0o700, calls: 0 },
  ];
  for (const row of rows) {
    const dir = join(await tempDir(t), 'data');
    await mkdir(dir);
    await chmod(dir, row.mode);

    t.same(await openRecorded(t, dir), [], row.mode.toString(8));
    t.equal(await modeOf(dir), row.after, `${row.mode.toString(8)} becomes ${row.after.toString(8)}`);
    t.equal(chmods.calls.length, row.calls, `${row.mode.toString(8)}: chmod calls`);
  }
});

t.test('tightens a 0755 folder to 0700 through the real file system', async (t) => {
  const dir = await tempDir(t);
  await chmod(dir, 0o755);

  const owner = await openOwner(dir);
  t.teardown(() => owner.store.close());
  t.equal(await modeOf(dir), 0o700);
});

t.test('opens with a warning when the folder cannot be made owner-only', async (t) => {
  for (const code of ['EPERM', 'EROFS']) {
    const dir = await tempDir(t);
    await chmod(dir, 0o755);
    chmods.refuse = code;

    const warnings = await openRecorded(t, dir).finally(() => (chmods.refuse = null));
    const warning = `could not make ${dir} owner-only (${code}: refused, chmod '${dir}'); other users may read the data`;
    t.same(warnings, [warning], code);
    t.equal(await modeOf(dir), 0o755, `${code}: mode as it was`);
  }
});

t.test('refuses a data folder that is a regular file, names it, and leaves the file alone', async (t) => {
  const dir = join(await tempDir(t), 'data');
  await writeFile(dir, 'not a folder\n', { mode: 0o644 });

  const err = await openOwner(dir).catch((e: unknown) => e);
  t.type(err, StoreOpenError);
  t.match(err, { code: 'DDNS_ERR_STORE_OPEN' });
  t.match((err as Error).message, `cannot use the data folder ${dir}: it is a file, not a folder`);
  t.equal(await readFile(dir, 'utf8'), 'not a folder\n');
  t.equal(await modeOf(dir), 0o644, 'not chmod-ed');
});

t.test('refuses a data folder below a regular file', async (t) => {
  const file = join(await tempDir(t), 'file');
  await writeFile(file, '');
  const dir = join(file, 'data');

  const err = await openOwner(dir).catch((e: unknown) => e);
  t.type(err, StoreOpenError);
  t.match((err as Error).message, `cannot use the data folder ${dir}: a part of its path is a file, not a folder`);
  t.match(err, { cause: { code: 'ENOTDIR' } }, 'keeps the system error as its cause');
});

t.test('words each file-system error for the folder, with the file it happened on', async (t) => {
  const dir = '/var/lib/dynzone';
  const system = (code: string, path: string) => Object.assign(new Error(`${code}: raw, open '${path}'`), { code, path });
  const rows = [
    { code: 'EROFS', path: `${dir}/.dynzone.lock.1.0123456789ab.tmp`, message: `${dir}: read-only file system; ` },
    { code: 'EACCES', path: `${dir}/snapshot.json`, message: `${dir}: permission denied (at ${dir}/snapshot.json); ` },
    { code: 'EPERM', path: dir, message: `${dir}: permission denied; run dynzone as the user that owns` },
    { code: 'ENOSPC', path: `${dir}/journal-1.jsonl`, message: `${dir}: no space left on the device (at ` },
    { code: 'EIO', path: dir, message: `${dir}: EIO: raw, open '${dir}'` },
  ];
  for (const row of rows) {
    const cause = system(row.code, row.path);
    const err = openError(dir, cause);
    t.type(err, StoreOpenError, row.code);
    t.match((err as Error).message, `cannot use the data folder ${row.message}`, row.code);
    t.equal((err as Error).cause, cause, `${row.code}: keeps the cause`);
  }
});

t.test('passes errors raised on purpose and programming errors through unchanged', async (t) => {
  const corrupt = new StoreCorruptError('journal line 2 is damaged');
  const bug = new TypeError('x is not a function');
  const nodeBug = Object.assign(new TypeError('bad argument'), { code: 'ERR_INVALID_ARG_TYPE' });

  for (const err of [corrupt, bug, nodeBug]) t.equal(openError('/data', err), err, err.message);
});
