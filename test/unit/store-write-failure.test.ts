import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { applyOps } from '../../src/store/index.js';
import type { Doc, Op } from '../../src/store/index.js';
import { journalFiles, loadDoc, tempDir } from '../helpers/store.js';
import { storeWithDisk } from '../helpers/store-mock-disk.js';

/** Journal writes fail while `failing` is set: half the bytes land, then ENOSPC, as on a full disk. */
const disk = { failing: false };

const { FileStore } = await storeWithDisk(t, async (handle, data, offset, length, position) => {
  if (!disk.failing) return handle.write(data, offset, length, position);

  await handle.write(data, offset, Math.floor(length / 2), position);
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
});

t.test('a failed write rejects its batch and the commits queued behind it, then commits work again', async (t) => {
  const dir = await tempDir(t);
  let doc: Doc = {};
  const store = new FileStore({ dir, snapshot: () => doc });
  doc = (await store.open()).doc;
  // Each change sets a new key, so undoing it is deleting that key again.
  const change = (ops: Op[]) => {
    applyOps(doc, ops);
    return store.commit(ops).then(
      () => 'ok',
      (err: { code?: string; cause?: { code?: string } }) => {
        applyOps(doc, ops.map((op) => ({ p: op.p })));
        return `${err.code} (${err.cause?.code})`;
      },
    );
  };
  await change([{ p: ['a'], v: 1 }]);
  const [journal] = await journalFiles(dir);
  const goodBytes = await readFile(join(dir, journal as string), 'utf8');

  disk.failing = true;
  const failing = change([{ p: ['b'], v: 2 }]);
  const queued = [change([{ p: ['c'], v: 3 }]), change([{ p: ['d'], v: 4 }])];
  t.equal(await failing, 'DDNS_ERR_STORE_WRITE (ENOSPC)', 'the batch being written');
  t.same(await Promise.all(queued), Array(2).fill('DDNS_ERR_STORE_WRITE (ENOSPC)'), 'the commits queued behind it');
  t.equal(await readFile(join(dir, journal as string), 'utf8'), goodBytes, 'the partial line is cut off');

  disk.failing = false;
  t.equal(await change([{ p: ['e'], v: 5 }]), 'ok');
  await store.close();
  t.same(await loadDoc(dir), { a: 1, e: 5 }, 'the rejected changes are not on disk, the later one is');
});

t.test('the error says what failed and keeps the system error as its cause', async (t) => {
  const dir = await tempDir(t);
  const store = new FileStore({ dir, snapshot: () => ({}) });
  await store.open();
  t.teardown(() => store.close());

  disk.failing = true;
  const err = (await store.commit([{ p: ['a'], v: 1 }]).catch((e: unknown) => e)) as Error & { cause: unknown };
  disk.failing = false;
  t.equal(err.name, 'StoreWriteError');
  t.match(err.message, `could not write the journal in ${dir} (ENOSPC: no space left on device, write)`);
  t.match(err.cause, { code: 'ENOSPC' });
});
