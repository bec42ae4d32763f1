import { ConfigurationError } from '../errors.js';

/*
 * A run reads the pool in partitions, one per first hex digit of the `sub` (a `sub` is a
 * lower-case UUID), so that pages of several partitions are in flight at once and the run
 * reaches Cognito's ListUsers rate rather than one page per round trip. The cursor says
 * where each unfinished partition stands.
 */

/** The `sub` prefixes of a partitioned run. @internal */
export const SUB_PREFIXES: readonly string[] = /* @__PURE__ */ Array.from('0123456789abcdef');

/**
 * Where a run stands: for each unfinished partition (by `sub` prefix; `''` for a run that
 * is not partitioned), the ListUsers token of its next page, or `null` before its first.
 *
 * @internal
 */
export type Positions = Map<string, string | null>;

const VERSION = 'p1.';

/** The positions a run starts from: a cursor's, or every partition from its first page. @internal */
export function positionsOf(cursor: string | undefined, partitioned: boolean): Positions {
  if (cursor === undefined) return new Map(partitioned ? SUB_PREFIXES.map((prefix) => [prefix, null]) : [['', null]]);
  // A cursor from before partitions is a bare ListUsers token: go on from it in one stream.
  if (!cursor.startsWith(VERSION)) return new Map([['', cursor]]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor.slice(VERSION.length), 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const entries = isRecord(parsed) ? Object.entries(parsed) : [];
  const valid =
    entries.length > 0 &&
    entries.every(([prefix, token]) => (prefix === '' || SUB_PREFIXES.includes(prefix)) && (token === null || (typeof token === 'string' && token !== '')));
  if (!valid) throw new ConfigurationError('cursor', "is not the `cursor` of an earlier run's report");
  return new Map(entries as [string, string | null][]);
}

/** The cursor of these positions, or `undefined` when every partition is done. @internal */
export function cursorOf(positions: Positions): string | undefined {
  if (positions.size === 0) return undefined;
  // One unpartitioned stream keeps the bare token, readable by any earlier version.
  const only = positions.get('');
  if (positions.size === 1 && typeof only === 'string') return only;
  return VERSION + Buffer.from(JSON.stringify(Object.fromEntries(positions)), 'utf8').toString('base64url');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
