/**
 * A full disk: the data folder sits on a 1 MiB tmpfs, mostly taken by a
 * filler file, that commits fill up. The failing commit must be rejected with a clear error, nothing
 * acknowledged may be lost, and once space is freed commits work again.
 * Mounting needs root; elsewhere the test is skipped.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { Test } from 'tap';
import { applyOps } from '../../src/store/index.js';
import { loadDoc, openOwner } from '../helpers/store.js';
import type { Owner, TestLike } from '../helpers/store.js';

const run = promisify(execFile);
const MAX_COMMITS = 4000;
const VALUE = 'x'.repeat(1000);

/** Mounts a small tmpfs on a new folder; returns the folder, or why it could not. */
async function mountSmallDisk(t: TestLike): Promise<{ mnt: string } | { reason: string }> {
  if (process.getuid?.() !== 0) return { reason: 'mounting a tmpfs needs root' };

  const mnt = await mkdtemp(join(tmpdir(), 'dynzone-full-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mnt]);
  } catch (err) {
    await rmdir(mnt);
    return { reason: `mount -t tmpfs failed: ${(err as Error).message.trim()}` };
  }
  t.teardown(async () => {
    await run('umount', [mnt]);
    await rmdir(mnt);
  });
  return { mnt };
}

/** Commits one new host; on rejection undoes it in memory, as the live state does. */
async function addHost(owner: Owner, key: string): Promise<unknown> {
  const ops = [{ p: ['hosts', key], v: VALUE }];
  applyOps(owner.doc, ops);
  try {
    await owner.store.commit(ops);
    return null;
  } catch (err) {
    applyOps(owner.doc, [{ p: ['hosts', key] }]);
    return err;
  }
}

/** Adds hosts four at a time until a commit fails; returns the keys acknowledged and the first error. */
async function fillUp(owner: Owner): Promise<{ acked: string[]; error: unknown }> {
  const acked: string[] = [];
  for (let i = 0; i < MAX_COMMITS; i += 4) {
    const keys = [i, i + 1, i + 2, i + 3].map((n) => `h${n}`);
    const results = await Promise.all(keys.map((key) => addHost(owner, key)));
    for (const [j, key] of keys.entries()) if (results[j] === null) acked.push(key);
    const error = results.find((result) => result !== null);
    if (error) return { acked, error };
  }
  return { acked, error: null };
}

const disk = await mountSmallDisk(t);
const skip = 'reason' in disk ? disk.reason : false;

t.test('a full disk fails the commit clearly, loses nothing acknowledged, and recovers once space is freed', { skip }, async (t) => {
  if ('reason' in disk) return;

  const dir = join(disk.mnt, 'data');
  const filler = join(disk.mnt, 'filler');
  await writeFile(filler, Buffer.alloc(640 * 1024));

  const owner = await openOwner(dir);
  const { acked, error } = await fillUp(owner);
  t.ok(acked.length > 10, `${acked.length} commits acknowledged before the disk filled`);
  t.match(error, { name: 'StoreWriteError', code: 'DDNS_ERR_STORE_WRITE', cause: { code: 'ENOSPC' } }, 'the commit fails');
  t.match((error as Error).message, /could not write the journal in .*ENOSPC/, 'the message says what failed');
  const closed = await owner.store.close().then(() => null, (err: unknown) => err);
  t.ok(closed === null || (closed as { code?: string }).code === 'DDNS_ERR_STORE_WRITE', 'close fails only to write');

  const reopened = await openOwner(dir);
  const hosts = reopened.doc.hosts as Record<string, string>;
  t.same(Object.keys(hosts).sort(), [...acked].sort(), 'after reopen on the full disk, exactly the acknowledged commits are there');

  await rm(filler);
  t.equal(await addHost(reopened, 'after'), null, 'a commit succeeds once space is freed');
  await reopened.store.close();
  const final = (await loadDoc(dir)).hosts as Record<string, string>;
  t.equal(Object.keys(final).length, acked.length + 1, 'nothing lost after the final snapshot');
  t.equal(final.after, VALUE, 'the new commit is kept');
});
