/**
 * Loads FileStore with its journal writes passing through a function of
 * the test's choosing, to watch or break them the way a disk would.
 */
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Test } from 'tap';

/** Stands in for `FileHandle.write` on journal files. */
export type JournalWrite = (handle: FileHandle, data: Uint8Array, offset: number, length: number, position: number) => Promise<unknown>;

function wrapHandle(handle: FileHandle, write: JournalWrite): FileHandle {
  return new Proxy(handle, {
    get(target, key) {
      if (key === 'write') return (data: Uint8Array, offset: number, length: number, position: number) => write(target, data, offset, length, position);
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The store and journal modules, with every journal write going through `write`. */
export async function storeWithDisk(t: Test, write: JournalWrite): Promise<{
  FileStore: typeof import('../../src/store/file-store.js').FileStore;
  journal: typeof import('../../src/store/journal.js');
}> {
  // tap's mockImport does not reach modules imported by a mocked .ts module,
  // so the journal module is mocked first and handed to the store module.
  const journal = await t.mockImport<typeof import('../../src/store/journal.js')>('../../src/store/journal.js', {
    'node:fs/promises': { ...fs, open: async (...args: Parameters<typeof fs.open>) => wrapHandle(await fs.open(...args), write) },
  });
  const store = await t.mockImport<typeof import('../../src/store/file-store.js')>('../../src/store/file-store.js', {
    '../../src/store/journal.js': journal,
  });
  return { FileStore: store.FileStore, journal };
}
