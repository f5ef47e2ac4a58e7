/**
 * Child process for the data-folder tests that need another user: opens
 * the store in the folder given as the first argument and prints what
 * happened as one JSON line, `{"ok":true}` or the error's name, code and
 * message.
 */
import { FileStore } from '../../src/store/index.js';

const store = new FileStore({ dir: process.argv[2] as string, snapshot: () => ({}) });
try {
  await store.open();
  await store.close();
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (err) {
  const { name, code, message } = err as Error & { code?: string };
  process.stdout.write(`${JSON.stringify({ ok: false, name, code, message })}\n`);
}
