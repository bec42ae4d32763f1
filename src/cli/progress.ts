import type { ReconcileReport } from '../reconcile/report.js';

/*
 * The progress line of a run on a terminal. A fresh run measures itself against Cognito's
 * estimate of the pool. A resumed run cannot: its cursor says where each partition stands
 * (a partition is a sixteenth of the pool by `sub` prefix, so about a sixteenth of its
 * users), not how many users the earlier runs read, and a partition half read looks the
 * same as one just begun. So it shows what is known for certain, the partitions finished
 * before it and since, with this run's own counts, and an ETA that is an upper bound.
 */

const BAR_WIDTH = 20;

/** Where a run started. @internal */
export interface ProgressStart {
  /** Cognito's estimate of the pool's users; unknown without DescribeUserPool. */
  total?: number | undefined;
  /** For a resumed run: its partitions, and how many of them were left to read. */
  resumed?: { partitions: number; left: number } | undefined;
  /** When the run started, in the clock's milliseconds. */
  startedAt: number;
}

/** What one line needs of the run. @internal */
export type ProgressReport = Pick<ReconcileReport, 'scanned' | 'created' | 'updated' | 'errors' | 'dryRun'> & {
  /** Partitions not yet finished. */
  partitionsLeft?: number | undefined;
};

/**
 * One line of progress, redrawn in place: a bar against the estimate (capped at full: it is
 * an estimate) for a fresh run, the partitions done for a resumed one; the rate; the ETA;
 * and the counts, in the future tense for a dry run.
 *
 * @internal
 */
export function progressLine(report: ProgressReport, start: ProgressStart, now: number): string {
  const { scanned, dryRun } = report;
  const seconds = (now - start.startedAt) / 1000;
  const rate = seconds > 0 ? scanned / seconds : 0;
  const parts: string[] = [];
  const remaining = remainingUsers(report, start);
  if (start.resumed) {
    const { partitions, left } = start.resumed;
    const done = partitions - (report.partitionsLeft ?? left);
    // A cursor from before partitions continues one stream: nothing to count but users.
    parts.push(partitions > 1 ? `resumed: ${done}/${partitions} partitions done` : 'resumed', `${scanned} users this run`);
  } else if (start.total !== undefined && start.total > 0) {
    const share = Math.min(1, scanned / start.total);
    const filled = Math.round(share * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${scanned} of ~${start.total} users`);
  } else {
    parts.push(`${scanned} users`);
  }
  if (rate > 0) parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} users/s`);
  if (rate > 0 && remaining !== undefined && remaining > 0) {
    parts.push(`ETA ${start.resumed ? '≤ ' : ''}${duration(remaining / rate)}`);
  }
  parts.push(
    dryRun
      ? `${report.created} to create, ${report.updated} to repair, ${report.errors} failed`
      : `${report.created} created, ${report.updated} repaired, ${report.errors} failed`,
  );
  return parts.join(' · ');
}

/**
 * Users left to read, by the estimate. For a resumed run, an upper bound: the unfinished
 * partitions in full, less what this run has read (all of it from those partitions).
 */
function remainingUsers(report: ProgressReport, start: ProgressStart): number | undefined {
  if (start.total === undefined || start.total <= 0) return undefined;
  if (!start.resumed) return start.total - report.scanned;
  const perPartition = start.total / start.resumed.partitions;
  const leftNow = report.partitionsLeft ?? start.resumed.left;
  return Math.min(perPartition * start.resumed.left - report.scanned, perPartition * leftNow);
}

/** `42s`, `3m 05s`, `1h 07m`. @internal */
export function duration(seconds: number): string {
  const whole = Math.max(1, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
