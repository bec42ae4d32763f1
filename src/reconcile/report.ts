/*
 * What a reconcile run reports. Kept apart from the run so that the error family can name
 * the report without importing the machinery that fills it.
 */

/** One user reconcile could not handle, by `sub` (no name or address). */
export interface ReconcileFailure {
  /** Missing when Cognito listed a user without one. */
  readonly sub?: string;
  /** The error's name, such as `ProfileWriteError`. */
  readonly error: string;
}

/** What a reconcile run did (or, in a dry run, would do). */
export interface ReconcileReport {
  readonly dryRun: boolean;
  /** The whole pool was covered; when not, `cursor` continues the run. */
  complete: boolean;
  cursor?: string;
  /** The `signal` stopped the run (its pages, or the orphan check after them). */
  interrupted: boolean;
  /** Users of the pages worked through. */
  scanned: number;
  /** Rows created for users that had none. */
  created: number;
  /** Rows whose Cognito-owned fields were repaired. */
  updated: number;
  /** Rows already in step (or written by a trigger while the run looked). */
  unchanged: number;
  /** Users passed over for their status (see `skipStatuses`). */
  skipped: number;
  /** Rows whose user is gone. */
  orphans: number;
  /** Whether this run checked for orphans (only a run over the whole pool, or a slice of it, does). */
  orphansChecked: boolean;
  /**
   * The scheduled handler checking a big pool slice by slice: how many slices a cycle has
   * (`of`), how many this invocation finished (`checked`), and the next one's index (`next`;
   * 0 once a cycle is done).
   */
  slices?: { of: number; checked: number; next: number };
  /** Orphan rows marked with `deletedAt`, or deleted, by the `orphans` option. */
  orphansResolved: number;
  /**
   * Welcomes: `sent` now; `failed` again; `pending`, due but not sent (a dry run, or no
   * `onWelcome`); `unknown`, a claim's lease ran out with no sent marker so the mail may have
   * gone out, and under `welcomeDelivery: 'at-most-once'` reconcile leaves it for an operator
   * (their `sub`s are in `ids.unknownWelcomes`).
   */
  welcomes: { sent: number; failed: number; pending: number; unknown: number };
  /**
   * Erasures of deleted users (with `onUserDeleted`): `erased` now; `failed` (each also
   * counted in `errors`, as `ErasureError`); `pending`, due but not run (a dry run).
   */
  erasures: { erased: number; failed: number; pending: number };
  /** Users that failed; the run went on. */
  errors: number;
  /** The `sub`s involved, each list capped at `maxIds`. */
  ids: {
    created: string[];
    updated: string[];
    orphans: string[];
    errors: ReconcileFailure[];
    unknownWelcomes: string[];
  };
  durationMs: number;
}

/** @internal */
export function emptyReport(dryRun: boolean): ReconcileReport {
  return {
    dryRun,
    complete: false,
    interrupted: false,
    scanned: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    orphans: 0,
    orphansChecked: false,
    orphansResolved: 0,
    welcomes: { sent: 0, failed: 0, pending: 0, unknown: 0 },
    erasures: { erased: 0, failed: 0, pending: 0 },
    errors: 0,
    ids: { created: [], updated: [], orphans: [], errors: [], unknownWelcomes: [] },
    durationMs: 0,
  };
}

/** Counts one user under `what` and keeps its `sub`, up to `maxIds`. @internal */
export function countUser(report: ReconcileReport, what: 'created' | 'updated' | 'orphans', sub: string, maxIds: number): void {
  report[what] += 1;
  if (report.ids[what].length < maxIds) report.ids[what].push(sub);
}

/** Counts a welcome reconcile leaves for an operator and keeps its `sub`, up to `maxIds`. @internal */
export function countUnknownWelcome(report: ReconcileReport, sub: string, maxIds: number): void {
  report.welcomes.unknown += 1;
  if (report.ids.unknownWelcomes.length < maxIds) report.ids.unknownWelcomes.push(sub);
}

/** Counts one user that failed, by `sub` and error name. @internal */
export function recordFailure(report: ReconcileReport, maxIds: number, sub: string | undefined, error: string): void {
  report.errors += 1;
  if (report.ids.errors.length < maxIds) report.ids.errors.push({ ...(sub !== undefined && { sub }), error });
}

/**
 * Adds one slice's report to an invocation's: counts are summed and ids kept up to `maxIds`.
 *
 * @internal
 */
export function addReport(total: ReconcileReport, part: ReconcileReport, maxIds: number): void {
  const counts = ['scanned', 'created', 'updated', 'unchanged', 'skipped', 'orphans', 'orphansResolved', 'errors'] as const;
  for (const count of counts) total[count] += part[count];
  for (const kind of ['sent', 'failed', 'pending', 'unknown'] as const) total.welcomes[kind] += part.welcomes[kind];
  for (const kind of ['erased', 'failed', 'pending'] as const) total.erasures[kind] += part.erasures[kind];
  for (const list of ['created', 'updated', 'orphans', 'unknownWelcomes'] as const) {
    total.ids[list].push(...part.ids[list].slice(0, maxIds - total.ids[list].length));
  }
  total.ids.errors.push(...part.ids.errors.slice(0, maxIds - total.ids.errors.length));
  total.interrupted ||= part.interrupted;
}
