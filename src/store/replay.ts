/**
 * Loading the journal at start: every entry after the snapshot's seq is
 * applied in order. Only one kind of damage is repaired: an unterminated
 * last line of the newest file. The writer ends every entry with a newline
 * inside the same append and acknowledges only after the flush, so a line
 * without its newline is a write a crash cut short, never acknowledged.
 * A complete line that is not a valid entry may have been acknowledged;
 * it, and anything else, stops the start with a StoreCorruptError.
 *
 * Not told apart: a file system that may store an append's size before its
 * data (ext4 with data=writeback) can leave zeros in front of complete
 * lines after a power cut. That refuses the start as well; it is safe,
 * since nothing is dropped that might have been acknowledged, and the
 * message says how to cut the file by hand.
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
  /** The unterminated last line, if the file does not end with a newline. */
  torn: { line: number; bytes: number } | null;
}

const NEWLINE = 0x0a;

/** Applies the journal in `dir` to `snapshot.doc` in place. */
export async function replayJournals(dir: string, snapshot: Snapshot): Promise<Replay> {
  const files = await listJournals(dir);
  const replay: Replay = { lastSeq: snapshot.seq, files, tailLength: 0, warnings: [] };

  for (const [i, file] of files.entries()) {
    const parsed = parseJournal(await readFile(file.path), file.path);
    const isNewest = i === files.length - 1;
    if (parsed.torn && !isNewest) throw corrupt(file.path, parsed.torn.line, TORN_BEFORE_NEWEST);

    file.last = checkOrder(file, parsed.entries);
    replay.lastSeq = applyEntries(snapshot, replay.lastSeq, file, parsed.entries);
    if (isNewest) replay.tailLength = parsed.goodLength;
    if (isNewest && parsed.torn) replay.warnings.push(await cutTornLine(file.path, parsed));
  }
  return replay;
}

/** Every newline-terminated line must be an entry; bytes after the last newline are a torn write. */
function parseJournal(data: Buffer, path: string): ParsedFile {
  const entries: Entry[] = [];
  let offset = 0;
  for (let line = 1; offset < data.length; line++) {
    const newline = data.indexOf(NEWLINE, offset);
    if (newline === -1) return { entries, goodLength: offset, torn: { line, bytes: data.length - offset } };

    entries.push(parseLine(data.toString('utf8', offset, newline), path, line));
    offset = newline + 1;
  }
  return { entries, goodLength: offset, torn: null };
}

/** One complete line as an entry `{"s":<seq>,"ops":[...]}`; a StoreCorruptError when it is not. */
function parseLine(text: string, path: string, line: number): Entry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt(path, line, 'is complete but not valid JSON');
  }
  const { s, ops } = (isObject(value) ? value : {}) as { s?: unknown; ops?: unknown };
  if (!Number.isSafeInteger(s) || (s as number) < 1 || !Array.isArray(ops)) {
    throw corrupt(path, line, 'is complete but not a journal entry {"s":<seq>,"ops":[...]}');
  }

  return { seq: s as number, ops: ops as Op[], line };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

const TORN_BEFORE_NEWEST = 'has no newline at its end, yet a newer journal file follows';
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
