/**
 * What the load's torn-line rule rests on: every flush reaches the journal
 * file as one write of whole lines that ends with a newline, so a crash
 * midway can only leave an unterminated last line.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { journalFiles, tempDir } from '../helpers/store.js';
import { storeWithDisk } from '../helpers/store-mock-disk.js';

/** The bytes of every write to a journal file. */
const writes: Buffer[] = [];

const { FileStore, journal } = await storeWithDisk(t, (handle, data, offset, length, position) => {
  writes.push(Buffer.from(data.subarray(offset, offset + length)));
  return handle.write(data, offset, length, position);
});

t.test('writes each flush as one write of whole lines that ends with a newline', async (t) => {
  const dir = await tempDir(t);
  const store = new FileStore({ dir, snapshot: () => ({}) });
  await store.open();
  writes.length = 0;

  const commit = (i: number) => store.commit([{ p: ['h', `${i}`], v: 'é'.repeat(i % 7) }]);
  await Promise.all(Array.from({ length: 300 }, (_, i) => commit(i)));
  for (let i = 0; i < 5; i++) await store.commit([{ p: ['one'], v: i }]);

  t.equal(writes.length, store.stats.flushes, 'one write per flush');
  t.ok(writes.every((data) => data.at(-1) === 0x0a), 'every write ends with a newline');
  const lines = writes.flatMap((data) => data.toString('utf8').slice(0, -1).split('\n'));
  t.equal(lines.length, 305, 'one line per commit');
  t.ok(lines.every((line) => Array.isArray((JSON.parse(line) as { ops?: unknown }).ops)), 'each line a whole entry');
  const [file] = await journalFiles(dir);
  t.equal(await readFile(join(dir, file as string), 'utf8'), Buffer.concat(writes).toString('utf8'));
  await store.close();
});

t.test('refuses an append that does not end with a newline, writing nothing', async (t) => {
  const dir = await tempDir(t);
  const writer = await journal.JournalWriter.create(dir, 1);
  t.teardown(() => writer.close());

  await t.rejects(writer.append('{"s":1,"ops":[]}'), { name: 'TypeError', message: /must end with a newline/ });
  t.equal(await readFile(join(dir, 'journal-1.jsonl'), 'utf8'), '');
});
