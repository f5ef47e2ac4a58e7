/**
 * Loading the journal at start: every entry after the snapshot's seq is
 * applied in order. Only one kind of damage is repaired: a torn last line
 * of the newest file, which a crash mid-append leaves and which was never
 * acknowledged. Anything else stops the start with a StoreCorruptError.
 */
import { open, readFile } from 'node:fs/promises';
import { StoreCorruptError } from '../errors.js';
import { listJournals } from './journal.js';
import type { JournalFile } from './journal.js';
import { applyOps } from './ops.js';
import type { Snapshot } from './snapshot.js';
import type { Op } from './types.js';

/** What replaying the journal found. */
export interface Replay {
  /** The last seq on disk: the snapshot's or the journal's, whichever is later. */
  lastSeq: number;
  /** Every journal file, oldest first, with its last seq. */
  files: JournalFile[];
  /** Length in bytes of the newest file once a torn line is cut off. */
  tailLength: number;
  warnings: string[];
}

interface Entry {
  seq: number;
  ops: Op[];
  line: number;
}

interface ParsedFile {
  entries: Entry[];
  /** Bytes up to the end of the last complete line. */
  goodLength: number;
  torn: { line: number; bytes: number } | null;
}

/** Applies the journal in `dir` to `snapshot.doc` in place. */
export async function replayJournals(dir: string, snapshot: Snapshot): Promise<Replay> {
  const files = await listJournals(dir);
  const replay: Replay = { lastSeq: snapshot.seq, files, tailLength: 0, warnings: [] };

  for (const [i, file] of files.entries()) {
    const parsed = parseJournal(await readFile(file.path), file.path);
    const isNewest = i === files.length - 1;
    if (parsed.torn && !isNewest) throw corrupt(file.path, parsed.torn.line, 'is incomplete or invalid');

    file.last = checkOrder(file, parsed.entries);
    replay.lastSeq = applyEntries(snapshot, replay.lastSeq, file, parsed.entries);
    if (isNewest) replay.tailLength = parsed.goodLength;
    if (isNewest && parsed.torn) replay.warnings.push(await cutTornLine(file.path, parsed));
  }
  return replay;
}

function parseJournal(data: Buffer, path: string): ParsedFile {
  const entries: Entry[] = [];
  let offset = 0;
  for (let line = 1; offset < data.length; line++) {
    const newline = data.indexOf(10, offset);
    const end = newline === -1 ? data.length : newline;
    const entry = parseLine(data.toString('utf8', offset, end), line);
    if (newline === -1 || entry === null) {
      const isLastLine = newline === -1 || newline + 1 === data.length;
      if (!isLastLine) throw corrupt(path, line, 'is not a valid journal entry');

      return { entries, goodLength: offset, torn: { line, bytes: data.length - offset } };
    }
    entries.push(entry);
    offset = newline + 1;
  }
  return { entries, goodLength: offset, torn: null };
}

function parseLine(text: string, line: number): Entry | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const { s, ops } = (value ?? {}) as { s?: unknown; ops?: unknown };
  if (!Number.isSafeInteger(s) || (s as number) < 1 || !Array.isArray(ops)) return null;

  return { seq: s as number, ops: ops as Op[], line };
}

/** Each file starts at the seq its name gives and counts up by one; returns its last seq. */
function checkOrder(file: JournalFile, entries: readonly Entry[]): number {
  let expected = file.start;
  for (const entry of entries) {
    if (entry.seq !== expected) {
      const problem = `holds entry ${entry.seq} where entry ${expected} belongs`;
      throw corrupt(file.path, entry.line, problem);
    }
    expected++;
  }
  return expected - 1;
}

/** Applies the entries after the snapshot, which must follow `applied` without a gap; returns the last. */
function applyEntries(
  snapshot: Snapshot,
  applied: number,
  file: JournalFile,
  entries: readonly Entry[],
): number {
  for (const entry of entries) {
    if (entry.seq <= snapshot.seq) continue;
    if (entry.seq !== applied + 1) {
      const problem = `holds entry ${entry.seq} but entry ${applied + 1} should come next`;
      throw corrupt(file.path, entry.line, problem, GAP_HINT);
    }
    try {
      applyOps(snapshot.doc, entry.ops);
    } catch (err) {
      throw corrupt(file.path, entry.line, `cannot be applied (${(err as Error).message})`);
    }
    applied = entry.seq;
  }
  return applied;
}

async function cutTornLine(path: string, parsed: ParsedFile): Promise<string> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(parsed.goodLength);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  const torn = parsed.torn as { line: number; bytes: number };
  return (
    `dropped an incomplete last entry (line ${torn.line}, ${torn.bytes} bytes) from ${path}; ` +
    'it was never acknowledged'
  );
}

const CUT_HINT =
  'restore the data folder from a backup, or cut the file before that line ' +
  '(the changes from there on are lost)';
const GAP_HINT =
  'put back the snapshot or journal files that were moved away ' +
  '(snapshot.json.bak is the previous snapshot), or restore the data folder from a backup';

function corrupt(path: string, line: number, problem: string, hint = CUT_HINT): StoreCorruptError {
  const message = `journal ${path} line ${line} ${problem}; nothing was changed. To recover, ${hint}.`;
  return new StoreCorruptError(message);
}
