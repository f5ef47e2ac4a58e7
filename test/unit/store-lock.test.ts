import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { StoreLockedError } from '../../src/errors.js';
import { acquireLock, lockHolder } from '../../src/store/index.js';
import { listDir, loadDoc, openOwner, tempDir } from '../helpers/store.js';

/** The PID of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

t.test('refuses a second open on the same folder while the first holds it', async (t) => {
  const dir = await tempDir(t);
  const first = await openOwner(dir);
  await first.set('a', 1);

  const err = await openOwner(dir).catch((e: unknown) => e);
  t.type(err, StoreLockedError);
  t.equal((err as StoreLockedError).code, 'DDNS_ERR_STORE_LOCKED');
  t.match((err as Error).message, `data folder ${dir} is in use by process ${process.pid}; stop it first`);

  await first.store.close();
  t.same(await loadDoc(dir), { hosts: { a: 1 } }, 'opens once the first has closed');
});

t.test('takes over a lock left by a process that is gone', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'dynzone.lock'), `${await deadPid()}\n`);

  const owner = await openOwner(dir);
  t.equal(await readFile(join(dir, 'dynzone.lock'), 'utf8'), `${process.pid}\n`);
  await owner.store.close();
  t.notOk((await listDir(dir)).includes('dynzone.lock'), 'closing removes the lock');
});

t.test('takes over a lock file that holds no PID', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'dynzone.lock'), '');

  const lock = await acquireLock(dir);
  t.equal(await lockHolder(dir), process.pid);
  await lock.release();
});

t.test('tells which live process holds a folder, and null for a free or stale one', async (t) => {
  const dir = await tempDir(t);
  t.equal(await lockHolder(dir), null, 'free');

  const lock = await acquireLock(dir);
  t.equal(await lockHolder(dir), process.pid, 'held');
  await lock.release();
  await lock.release();
  t.equal(await lockHolder(dir), null, 'released');

  await writeFile(join(dir, 'dynzone.lock'), `${await deadPid()}\n`);
  t.equal(await lockHolder(dir), null, 'stale');
});

t.test('a release leaves alone a lock that another process has taken since', async (t) => {
  const dir = await tempDir(t);
  const lock = await acquireLock(dir);
  await writeFile(join(dir, 'dynzone.lock'), '1\n');

  await lock.release();
  t.equal(await readFile(join(dir, 'dynzone.lock'), 'utf8'), '1\n');
});
