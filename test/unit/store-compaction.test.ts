import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { StoreWriteError } from '../../src/errors.js';
import { copyAsCrashed, journalFiles, listDir, loadDoc, openOwner, tempDir } from '../helpers/store.js';
import type { Owner } from '../helpers/store.js';

/**
 * Resolves once `test` holds. Bounded by time, not by turns of the event
 * loop: on a busy machine one fsync can outlast thousands of turns.
 */
async function until(test: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Commits hosts h<from> up to h<to - 1> concurrently. */
function setMany(owner: Owner, from: number, to: number): Promise<unknown> {
  return Promise.all(Array.from({ length: to - from }, (_, i) => owner.set(`h${from + i}`, from + i)));
}

function expectedHosts(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`h${i}`, i]));
}

t.test('writes a snapshot in the background after compactAfter entries and starts a new journal', async (t) => {
  const dir = await tempDir(t);
  const owner = await openOwner(dir, { compactAfter: 10 });
  t.teardown(() => owner.store.close());
  for (let i = 0; i < 10; i++) await owner.set(`h${i}`, i);
  await until(() => owner.store.stats.snapshots === 1);

  const snapshot = JSON.parse(await readFile(join(dir, 'snapshot.json'), 'utf8'));
  t.same(snapshot, { seq: 10, doc: { hosts: expectedHosts(10) } });
  t.same(await journalFiles(dir), ['journal-1.jsonl', 'journal-11.jsonl']);
});

t.test('keeps the journal back to the previous snapshot and deletes older files', async (t) => {
  const dir = await tempDir(t);
  const owner = await openOwner(dir, { compactAfter: 10 });
  t.teardown(() => owner.store.close());
  for (let i = 0; i < 30; i++) {
    await owner.set(`h${i}`, i);
    await until(() => owner.store.stats.snapshots === Math.floor((i + 1) / 10));
  }

  t.same(await journalFiles(dir), ['journal-21.jsonl', 'journal-31.jsonl']);
  const backup = JSON.parse(await readFile(join(dir, 'snapshot.json.bak'), 'utf8'));
  t.equal(backup.seq, 20, 'the backup plus journal-21 and on is complete too');
});

t.test('recovers everything from snapshot.json.bak when snapshot.json is damaged', async (t) => {
  const dir = await tempDir(t);
  const owner = await openOwner(dir, { compactAfter: 10 });
  for (let i = 0; i < 25; i++) {
    await owner.set(`h${i}`, i);
    await until(() => owner.store.stats.snapshots === Math.floor((i + 1) / 10));
  }
  await owner.store.close();
  await writeFile(join(dir, 'snapshot.json'), '{"seq":');

  await t.rejects(loadDoc(dir), { code: 'DDNS_ERR_STORE_CORRUPT' });
  await copyFile(join(dir, 'snapshot.json.bak'), join(dir, 'snapshot.json'));
  t.same(await loadDoc(dir), { hosts: expectedHosts(25) });
});

t.test('keeps every change across reopen, including commits made during a compaction', async (t) => {
  const dir = await tempDir(t);
  let during: Promise<unknown> | null = null;
  const owner: Owner = await openOwner(dir, {
    compactAfter: 10,
    snapshot: () => {
      // The snapshot is being taken: these commits arrive while it is written.
      during ??= new Promise((resolve) => queueMicrotask(() => resolve(setMany(owner, 10, 15))));
      return owner.doc;
    },
  });
  await setMany(owner, 0, 10);
  await until(() => during !== null);
  await during;
  await until(() => owner.store.stats.snapshots === 1);

  const snapshot = JSON.parse(await readFile(join(dir, 'snapshot.json'), 'utf8'));
  t.same(snapshot, { seq: 10, doc: { hosts: expectedHosts(10) } }, 'the snapshot holds only what was on disk');
  const crashed = await copyAsCrashed(t, dir);
  await owner.store.close();
  t.same(await loadDoc(crashed), { hosts: expectedHosts(15) }, 'without close, from snapshot and journal');
  t.same(await loadDoc(dir), { hosts: expectedHosts(15) }, 'after close');
});

t.test('keeps every change across many compactions under concurrent commits', async (t) => {
  const dir = await tempDir(t);
  const owner = await openOwner(dir, { compactAfter: 25 });
  for (let round = 0; round < 20; round++) await setMany(owner, round * 10, round * 10 + 10);
  await owner.store.close();

  t.ok(owner.store.stats.snapshots >= 4, `snapshots: ${owner.store.stats.snapshots}`);
  t.same(await loadDoc(dir), { hosts: expectedHosts(200) });
});

t.test('reports a failed background snapshot and loses nothing', async (t) => {
  const dir = await tempDir(t);
  const errors: StoreWriteError[] = [];
  let broken = true;
  const owner: Owner = await openOwner(dir, {
    compactAfter: 5,
    onBackgroundError: (err) => errors.push(err),
    snapshot: () => {
      if (broken) throw new Error('snapshot source failed');
      return owner.doc;
    },
  });
  await setMany(owner, 0, 5);
  await until(() => errors.length === 1);

  t.type(errors[0], StoreWriteError);
  t.match(errors[0]?.message, /background snapshot failed: snapshot source failed/);
  t.notOk((await listDir(dir)).includes('snapshot.json'));
  broken = false;
  await owner.store.close();
  t.same(await loadDoc(dir), { hosts: expectedHosts(5) });
});
