import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { StoreCorruptError, StoreWriteError } from '../../src/errors.js';
import { copyAsCrashed, journalFiles, listDir, loadDoc, modeOf, openOwner, tempDir } from '../helpers/store.js';

t.test('opens a missing folder as an empty document and creates it', async (t) => {
  const dir = join(await tempDir(t), 'data');
  const owner = await openOwner(dir);
  t.teardown(() => owner.store.close());

  t.same(owner.doc, {});
  t.same(owner.warnings, []);
  t.equal(await modeOf(dir), 0o700);
});

t.test('gives back every committed change after close and reopen', async (t) => {
  const dir = await tempDir(t);
  const owner = await openOwner(dir);
  await owner.set('a', '192.0.2.1');
  await owner.change([{ p: ['accounts', 'alice'], v: { email: 'a@example.com' } }]);
  await owner.change([{ p: ['hosts', 'a'] }, { p: ['hosts', 'b'], v: 'x' }]);
  await owner.store.close();

  t.same(await loadDoc(dir), { hosts: { b: 'x' }, accounts: { alice: { email: 'a@example.com' } } });
});

t.test('loads the journal alone when the owner never closed the store', async (t) => {
  const dir = await tempDir(t);
  const owner = await openOwner(dir);
  t.teardown(() => owner.store.close());
  for (let i = 0; i < 5; i++) await owner.set(`h${i}`, i);

  const copy = await copyAsCrashed(t, dir);
  t.same(await listDir(copy), ['journal-1.jsonl']);
  t.same(await loadDoc(copy), { hosts: { h0: 0, h1: 1, h2: 2, h3: 3, h4: 4 } });
});

t.test('writes 1,000 concurrent commits in a few flushes and keeps them all', async (t) => {
  const dir = await tempDir(t);
  const owner = await openOwner(dir);
  const commits = Array.from({ length: 1000 }, (_, i) => owner.set(`h${i}`, i));
  await Promise.all(commits);

  t.equal(owner.store.stats.entries, 1000);
  t.ok(owner.store.stats.flushes <= 3, `flushes: ${owner.store.stats.flushes}`);
  await owner.store.close();

  const hosts = (await loadDoc(dir)).hosts as Record<string, number>;
  t.equal(Object.keys(hosts).length, 1000);
  t.equal(hosts.h999, 999);
});

t.test('creates files owner-only: folder 0700, snapshot, backup, journal and lock 0600', async (t) => {
  const dir = join(await tempDir(t), 'data');
  const first = await openOwner(dir);
  await first.set('a', 1);
  await first.store.close();
  const second = await openOwner(dir);
  t.teardown(() => second.store.close());
  await second.set('b', 2);

  t.equal(await modeOf(dir), 0o700);
  for (const name of ['snapshot.json', 'journal-1.jsonl', 'dynzone.lock']) {
    t.equal(await modeOf(join(dir, name)), 0o600, name);
  }
  await second.store.close();
  t.equal(await modeOf(join(dir, 'snapshot.json.bak')), 0o600, 'snapshot.json.bak');
});

t.test('drops an unterminated last journal line (a torn write), reports it and cuts it off the file', async (t) => {
  const dir = await tempDir(t);
  const good = '{"s":1,"ops":[{"p":["a"],"v":1}]}\n{"s":2,"ops":[{"p":["b"],"v":2}]}\n';
  await writeFile(join(dir, 'journal-1.jsonl'), `${good}{"s":3,"ops":[{"p":["c"],`);

  const owner = await openOwner(dir);
  t.same(owner.doc, { a: 1, b: 2 });
  t.equal(owner.warnings.length, 1);
  t.match(owner.warnings[0], /incomplete last entry \(line 3, \d+ bytes\).*journal-1\.jsonl/);
  t.equal(await readFile(join(dir, 'journal-1.jsonl'), 'utf8'), good);

  await owner.set('d', 4);
  await owner.store.close();
  t.same(await loadDoc(dir), { a: 1, b: 2, hosts: { d: 4 } });
});

t.test('drops an unterminated last line even when it parses: its append never finished', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'journal-1.jsonl');
  await writeFile(file, '{"s":1,"ops":[{"p":["a"],"v":1}]}\n{"s":2,"ops":[{"p":["b"],"v":2}]}');

  const owner = await openOwner(dir);
  t.teardown(() => owner.store.close());
  t.same(owner.doc, { a: 1 });
  t.match(owner.warnings, [/incomplete last entry \(line 2, \d+ bytes\)/]);
  t.equal(await readFile(file, 'utf8'), '{"s":1,"ops":[{"p":["a"],"v":1}]}\n');
});

t.test('refuses a damaged complete last journal line, names file and line, and leaves the bytes', async (t) => {
  const first = '{"s":1,"ops":[{"p":["a"],"v":1}]}\n';
  const rows = [
    { name: 'a byte changed inside the line', line: '{"s":2,"ops":[{"p":["b"],"v";2}]}\n', problem: 'not valid JSON' },
    { name: 'zeros ending in a newline', line: '\0\0\0\0\n', problem: 'not valid JSON' },
    { name: 'an empty line', line: '\n', problem: 'not valid JSON' },
    { name: 'no ops', line: '{"s":2}\n', problem: 'not a journal entry' },
    { name: 'seq 0', line: '{"s":0,"ops":[]}\n', problem: 'not a journal entry' },
    { name: 'seq as text', line: '{"s":"2","ops":[]}\n', problem: 'not a journal entry' },
    { name: 'an array', line: '[2,[]]\n', problem: 'not a journal entry' },
    { name: 'null', line: 'null\n', problem: 'not a journal entry' },
  ];
  for (const row of rows) {
    const dir = await tempDir(t);
    const file = join(dir, 'journal-1.jsonl');
    await writeFile(file, first + row.line);
    const before = await stat(file);

    const err = await openOwner(dir).catch((e: unknown) => e);
    t.type(err, StoreCorruptError, row.name);
    t.match((err as Error).message, `journal ${file} line 2 is complete but ${row.problem}`, row.name);
    t.match((err as Error).message, /To recover, restore the data folder from a backup, or cut the file/, row.name);
    t.equal(await readFile(file, 'utf8'), first + row.line, `${row.name}: bytes unchanged`);
    t.equal((await stat(file)).mtimeMs, before.mtimeMs, `${row.name}: file not rewritten`);
    t.same(await listDir(dir), ['journal-1.jsonl'], `${row.name}: lock released, nothing added`);
  }
});

/** Opens `dir` with `bytes` as its snapshot; the open must fail and leave the file as it was. */
async function refusedSnapshot(t: Test, dir: string, bytes: string): Promise<Error> {
  const file = join(dir, 'snapshot.json');
  await writeFile(file, bytes);
  const before = await stat(file);

  const err = (await openOwner(dir).catch((e: unknown) => e)) as Error;
  t.type(err, StoreCorruptError, bytes);
  t.match(err, { code: 'DDNS_ERR_STORE_CORRUPT' }, bytes);
  t.match(err.message, file, bytes);
  t.match(err.message, `${file}.bak`, bytes);
  t.equal(await readFile(file, 'utf8'), bytes, `${bytes}: bytes unchanged`);
  t.equal((await stat(file)).mtimeMs, before.mtimeMs, `${bytes}: file not rewritten`);
  t.notOk((await listDir(dir)).includes('dynzone.lock'), `${bytes}: the lock is released`);
  return err;
}

t.test('refuses a corrupt snapshot, names the file and the way back, and leaves it untouched', async (t) => {
  const dir = await tempDir(t);
  for (const bytes of ['{"seq":3,"doc":{"a":', '', ' \n']) await refusedSnapshot(t, dir, bytes);
});

t.test('refuses a snapshot whose top level is not {seq: non-negative integer, doc: object}', async (t) => {
  const dir = await tempDir(t);
  const rows = [
    '[1,2]',
    'null',
    '"text"',
    '{"doc":{}}',
    '{"seq":1}',
    '{"seq":-1,"doc":{}}',
    '{"seq":1.5,"doc":{}}',
    '{"seq":"1","doc":{}}',
    '{"seq":1e400,"doc":{}}',
    '{"seq":1,"doc":[]}',
    '{"seq":1,"doc":null}',
    '{"seq":1,"doc":"x"}',
  ];
  for (const bytes of rows) {
    const err = await refusedSnapshot(t, dir, bytes);
    t.match(err.message, 'does not hold the expected data', bytes);
  }
});

t.test('refuses an unparsable journal line that is not the last one', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'journal-1.jsonl');
  const bytes = '{"s":1,"ops":[]}\n{"s":2,"ops":[\n{"s":3,"ops":[]}\n';
  await writeFile(file, bytes);

  const err = await openOwner(dir).catch((e: unknown) => e);
  t.type(err, StoreCorruptError);
  t.match((err as Error).message, `journal ${file} line 2`);
  t.equal(await readFile(file, 'utf8'), bytes);
});

t.test('refuses a torn line in a journal file that is not the newest', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'journal-1.jsonl'), '{"s":1,"ops":[]}\n{"s":2,');
  await writeFile(join(dir, 'journal-3.jsonl'), '{"s":3,"ops":[]}\n');

  const err = await openOwner(dir).catch((e: unknown) => e);
  t.type(err, StoreCorruptError);
  t.match((err as Error).message, /journal-1\.jsonl line 2/);
});

t.test('refuses a gap in the journal sequence', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'journal-1.jsonl'), '{"s":1,"ops":[]}\n{"s":3,"ops":[]}\n');
  const inFile = await openOwner(dir).catch((e: unknown) => e);
  t.match((inFile as Error).message, /line 2 holds entry 3 where entry 2 belongs/);

  await rm(join(dir, 'journal-1.jsonl'));
  await writeFile(join(dir, 'journal-5.jsonl'), '{"s":5,"ops":[]}\n');
  const missingStart = await openOwner(dir).catch((e: unknown) => e);
  t.type(missingStart, StoreCorruptError);
  t.match((missingStart as Error).message, /holds entry 5 but entry 1 should come next/);
});

t.test('skips journal entries the snapshot already holds', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'snapshot.json'), '{"seq":2,"doc":{"a":2}}');
  await writeFile(
    join(dir, 'journal-1.jsonl'),
    '{"s":1,"ops":[{"p":["a"],"v":1}]}\n{"s":2,"ops":[{"p":["a"],"v":2}]}\n{"s":3,"ops":[{"p":["b"],"v":3}]}\n',
  );

  t.same(await loadDoc(dir), { a: 2, b: 3 });
});

t.test('a commit on a 100k-entry document appends about as many bytes as on a 10-entry one', async (t) => {
  async function bytesOfOneCommit(entries: number): Promise<number> {
    const dir = await tempDir(t);
    const first = await openOwner(dir);
    const hosts = Object.fromEntries(Array.from({ length: entries }, (_, i) => [`host-${i}`, '192.0.2.1']));
    await first.change([{ p: ['hosts'], v: hosts }]);
    await first.store.close();

    const owner = await openOwner(dir);
    const snapshotBefore = await stat(join(dir, 'snapshot.json'));
    const [journal] = await journalFiles(dir);
    const journalBefore = (await stat(join(dir, journal as string))).size;
    await owner.set('host-0', '192.0.2.2');
    const appended = (await stat(join(dir, journal as string))).size - journalBefore;

    t.equal(owner.store.stats.bytes, appended);
    t.equal((await stat(join(dir, 'snapshot.json'))).mtimeMs, snapshotBefore.mtimeMs, 'snapshot not rewritten');
    await owner.store.close();
    return appended;
  }

  const small = await bytesOfOneCommit(10);
  const large = await bytesOfOneCommit(100_000);
  t.ok(small > 0 && small < 100, `bytes at 10 entries: ${small}`);
  t.equal(large, small, `bytes at 100k entries: ${large}`);
});

t.test('rejects commits with ops that do not fit the format, and commits after close', async (t) => {
  const dir = await tempDir(t);
  const owner = await openOwner(dir);
  await t.rejects(owner.store.commit([{ p: [] }]), TypeError);
  await t.rejects(owner.store.commit([{ p: ['a'], v: 1n as never }]), TypeError);
  await owner.store.close();

  await t.rejects(owner.store.commit([{ p: ['a'], v: 1 }]), { code: 'DDNS_ERR_STORE_WRITE' });
  t.type(await owner.store.commit([]).catch((e: unknown) => e), StoreWriteError);
  t.same(await loadDoc(dir), {});
});
