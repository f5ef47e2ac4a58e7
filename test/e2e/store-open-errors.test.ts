/**
 * The data folder on a real file system the store may not write: a
 * read-only tmpfs, and a folder owned by another user. Each open must fail
 * with a StoreOpenError that names the folder and the cause, not with a
 * raw system error. Both need root (to mount, and to run a child as
 * another user); elsewhere the tests are skipped.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import type { Test } from 'tap';
import { StoreOpenError } from '../../src/errors.js';
import { listDir, openOwner, tempDir } from '../helpers/store.js';
import type { TestLike } from '../helpers/store.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('../helpers/store-open-child.ts', import.meta.url));
const COMMAND_TIMEOUT_MS = 10_000;
const CHILD_TIMEOUT_MS = 60_000;
/** The conventional "nobody" user and group. */
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** Mounts an empty read-only tmpfs on a new folder; returns the folder, or why it could not. */
async function mountReadOnly(t: TestLike): Promise<{ mnt: string } | { reason: string }> {
  if (!isRoot) return { reason: 'mounting a tmpfs needs root' };

  const mnt = await mkdtemp(join(tmpdir(), 'dynzone-ro-'));
  try {
    const options = { timeout: COMMAND_TIMEOUT_MS };
    await run('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', mnt], options);
  } catch (err) {
    await rmdir(mnt);
    return { reason: `mount -t tmpfs -o ro failed: ${(err as Error).message.trim()}` };
  }
  t.teardown(async () => {
    await run('umount', [mnt], { timeout: COMMAND_TIMEOUT_MS });
    await rmdir(mnt);
  });
  return { mnt };
}

const disk = await mountReadOnly(t);
const noMount = 'reason' in disk ? disk.reason : false;
const noOtherUser = isRoot ? false : 'running a child as another user needs root';

t.test('refuses a data folder on a read-only file system with a StoreOpenError', { skip: noMount }, async (t) => {
  if ('reason' in disk) return;

  for (const dir of [disk.mnt, join(disk.mnt, 'data')]) {
    const err = await openOwner(dir).catch((e: unknown) => e);
    t.type(err, StoreOpenError, dir);
    t.match(err, { code: 'DDNS_ERR_STORE_OPEN', cause: { code: 'EROFS' } }, dir);
    t.match((err as Error).message, `cannot use the data folder ${dir}: read-only file system`, dir);
  }
  t.same(await listDir(disk.mnt), [], 'nothing was written');
});

t.test('refuses a folder another user owns with "permission denied"', { skip: noOtherUser }, async (t) => {
  const parent = await tempDir(t);
  await chmod(parent, 0o755);
  const dir = join(parent, 'data');
  await mkdir(dir, { mode: 0o700 });

  // Only the TypeScript loader: the others write to files of the user running the tests.
  const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  const options = { uid: NOBODY, gid: NOBODY, timeout: CHILD_TIMEOUT_MS };
  const { stdout } = await run(process.execPath, [...loader, CHILD, dir], options);
  const result = JSON.parse(stdout) as { ok: boolean; name?: string; code?: string; message?: string };

  t.match(result, { ok: false, name: 'StoreOpenError', code: 'DDNS_ERR_STORE_OPEN' });
  t.match(result.message, `cannot use the data folder ${dir}: permission denied; run dynzone as the user that owns`);
  t.same(await listDir(dir), [], 'nothing was written');
});
