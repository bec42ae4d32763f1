import { ConfigurationError } from '../errors.js';
import { SUB_PREFIXES } from './cursor.js';

/*
 * A pool too big for one invocation is checked for orphans slice by slice. A slice is a
 * contiguous run of the 256 two-hex-digit `sub` prefixes: slice `index` of `count` holds the
 * users whose `sub` starts with one of the prefixes `index * 256 / count` up to (not
 * including) `(index + 1) * 256 / count`. A slice is listed and its rows checked within one
 * invocation, so only its position outlives one. Splitting slice i of n gives slices 2i and
 * 2i + 1 of 2n, which cover exactly what it did: a cycle stays exact when it splits.
 */

/** One slice of the pool by `sub` prefix. @internal */
export interface SubSlice {
  /** From 0 to `count - 1`. */
  readonly index: number;
  /** A power of two from 1 to 256. */
  readonly count: number;
}

/** The most slices: one per two-hex-digit prefix. @internal */
export const MAX_SLICES = 256;

/** Whether `value` is a slice count: a power of two from 1 to 256. */
export const isSliceCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_SLICES && (value & (value - 1)) === 0;

/** The `orphanSlices` option, or its default. @internal */
export function checkOrphanSlices(value: unknown): number {
  if (value === undefined) return 1;
  if (!isSliceCount(value)) throw new ConfigurationError('orphanSlices', 'must be a power of two from 1 to 256 (1, 2, 4 … 256)');
  return value;
}

/** The same part of the pool, as slices of `count` (at least the slice's own count). @internal */
export function rescale(slice: SubSlice, count: number): SubSlice {
  if (count <= slice.count) return slice;
  return { index: slice.index * (count / slice.count), count };
}

/** The two halves of a slice, as the first of twice the slices; `undefined` at 256. @internal */
export function splitSlice(slice: SubSlice): SubSlice | undefined {
  return slice.count >= MAX_SLICES ? undefined : rescale(slice, slice.count * 2);
}

const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');

/**
 * The `ListUsers` streams that list a slice: its prefixes, as long as needed for 16 streams
 * or more (one hex digit for the whole pool, two up to 16 slices, three beyond), so that a
 * slice keeps as many pages in flight as a whole run does and so reaches the shared rate.
 *
 * @internal
 */
export function sliceStreams(slice: SubSlice): string[] {
  if (slice.count === 1) return [...SUB_PREFIXES];
  const digits = slice.count <= 16 ? 2 : 3;
  const perSlice = 16 ** digits / slice.count;
  return Array.from({ length: perSlice }, (_, offset) => hex(slice.index * perSlice + offset, digits));
}

/** Whether a `sub` (a lower-case UUID) falls in this slice. @internal */
export function isInSlice(sub: string, slice: SubSlice): boolean {
  if (slice.count === 1) return true;
  const prefix = Number.parseInt(sub.slice(0, 2), 16);
  const width = MAX_SLICES / slice.count;
  return /^[0-9a-f]{2}/.test(sub) && Math.floor(prefix / width) === slice.index;
}

/**
 * The key range a slice's rows fall in, for the scan's filter: from its first prefix up to
 * the next slice's (`g` after the last, above every hex digit). Keys of other shapes may fall
 * in it too; the check in code decides, the filter only spares the transfer.
 *
 * @internal
 */
export function sliceKeyRange(slice: SubSlice): { readonly from: string; readonly to: string } | undefined {
  if (slice.count === 1) return undefined;
  const width = MAX_SLICES / slice.count;
  const end = (slice.index + 1) * width;
  return { from: hex(slice.index * width, 2), to: end >= MAX_SLICES ? 'g' : hex(end, 2) };
}
