import { isReconcileError, ReconcileError } from '../errors.js';
import type { Profile } from '../types.js';
import type { ReconcileConfig } from './options.js';
import { addReport, emptyReport, type ReconcileReport } from './report.js';
import { runReconcile } from './run.js';
import { isSliceCount, rescale, splitSlice, type SubSlice } from './slices.js';

/*
 * The scheduled handler's way through a pool too big for one invocation: a cycle of slices
 * (see slices.ts), each listed and checked for orphans within one invocation. The control
 * item holds the next slice (`orphanSlice` of `orphanSlices`) and nothing else of the cycle:
 * a slice cut short is redone from its start by the next invocation.
 */

/** What the control item says of the cycle, as written. @internal */
export interface SliceFields {
  orphanSlice: number;
  orphanSlices: number;
  completedAt?: string;
}

/**
 * Where the cycle stands: the slice saved on the control item (when it is this pool's), as
 * at least `startCount` slices; a fresh cycle otherwise. Rescaling keeps the part of the pool
 * left to check the same, so raising `orphanSlices` mid-cycle skips and repeats nothing.
 *
 * @internal
 */
export function savedSlice(control: Profile | undefined, userPoolId: string, startCount: number): SubSlice {
  const ours = control?.userPoolId === userPoolId;
  const count = ours && isSliceCount(control.orphanSlices) ? control.orphanSlices : startCount;
  const index = control?.orphanSlice;
  const valid = ours && count === control.orphanSlices && Number.isInteger(index) && (index as number) >= 0 && (index as number) < count;
  return rescale({ index: valid ? (index as number) : 0, count }, startCount);
}

/** How an invocation runs its slices. @internal */
export interface SliceRun {
  readonly config: ReconcileConfig;
  readonly start: SubSlice;
  /** The Lambda's remaining time, when known. */
  readonly remainingMs: (() => number) | undefined;
  readonly reserveMs: number;
  readonly signal: AbortSignal | undefined;
  /** Saves the next slice on the control item. */
  readonly save: (fields: SliceFields) => Promise<void>;
}

/**
 * A further slice starts only when the last one's time, and this much more, still fits: the
 * slices of a big pool are of nearly one size (random `sub`s) and each scans the whole table.
 */
const NEXT_SLICE_MARGIN = 1.25;

/**
 * Runs slices from `start` while they fit the invocation, saving the next slice after each,
 * and stops at the end of a cycle. A slice cut short is redone by the next invocation; when it
 * was the invocation's first and had time left past the reserve, it did not fit: it is split in two.
 *
 * @internal
 */
export async function runSlices(run: SliceRun): Promise<ReconcileReport> {
  const { config, remainingMs, reserveMs, signal, save } = run;
  const startedAt = Date.now();
  const total = emptyReport(config.dryRun);
  let slice = run.start;
  let checked = 0;
  let lastMs = 0;
  const finish = () => {
    total.slices = { of: slice.count, checked, next: slice.index };
    total.orphansChecked = checked > 0;
    total.durationMs = Date.now() - startedAt;
    return total;
  };

  for (;;) {
    const budget = remainingMs === undefined ? undefined : remainingMs() - reserveMs;
    if (checked > 0 && budget !== undefined && budget < lastMs * NEXT_SLICE_MARGIN) break;
    const sliceStartedAt = Date.now();
    let part: ReconcileReport;
    try {
      part = await runReconcile(config, { ...(budget !== undefined && { stopAfterMs: Math.max(0, budget) }), ...(signal && { signal }) }, slice);
    } catch (error) {
      // The slice is redone; the control item still names it.
      if (!isReconcileError(error)) throw error;
      addReport(total, error.report, config.maxIds);
      throw new ReconcileError(finish(), error.cause);
    }
    addReport(total, part, config.maxIds);
    lastMs = Date.now() - sliceStartedAt;
    if (!part.complete || !part.orphansChecked || part.interrupted) {
      // Only a slice that had an invocation's time says the slices are too big: one started
      // with less than the reserve left (a timeout under `reserveMs`) says nothing of its size.
      if (checked === 0 && (budget === undefined || budget > 0)) slice = splitSlice(slice) ?? slice;
      await save({ orphanSlice: slice.index, orphanSlices: slice.count });
      break;
    }
    checked += 1;
    if (slice.index + 1 === slice.count) {
      slice = { index: 0, count: slice.count };
      total.complete = true;
      await save({ orphanSlice: 0, orphanSlices: slice.count, completedAt: new Date().toISOString() });
      break;
    }
    slice = { index: slice.index + 1, count: slice.count };
    await save({ orphanSlice: slice.index, orphanSlices: slice.count });
  }
  return finish();
}
