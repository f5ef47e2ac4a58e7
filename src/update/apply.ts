/**
 * Carrying out a decided update: apply every change in memory at once,
 * then wait until the store has it on disk. Only then is the answer
 * `good`; a failed write has already been undone by the state.
 */
import { StoreWriteError } from '../errors.js';
import type { State } from '../state.js';
import type { Outcome } from './answers.js';
import type { Applied as ZoneChange } from '../zone/zones.js';
import type { Planned } from './decide.js';

/** The answer to an applied update and, on failure, why. */
export interface Applied {
  outcome: Outcome;
  reason?: string;
}

/**
 * Applies and commits one update. `apply()` runs before the first `await`,
 * so the caller's synchronous decision and this change are one step.
 */
export async function applyUpdate(planned: Planned, state: State): Promise<Applied> {
  let change: ZoneChange;
  try {
    change = state.zones.apply(planned.changes);
  } catch (err) {
    return { outcome: { kind: 'server-fault' }, reason: `a planned change was refused: ${message(err)}` };
  }

  try {
    await state.commit(change);
  } catch (err) {
    const kind = err instanceof StoreWriteError ? 'store-failed' : 'server-fault';
    return { outcome: { kind }, reason: `commit failed: ${message(err)}` };
  }
  return { outcome: { kind: 'good', lines: planned.lines } };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
