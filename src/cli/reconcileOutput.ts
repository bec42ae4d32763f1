import type { ReconcileReport } from '../reconcile/report.js';

const BAR_WIDTH = 24;

/**
 * One line of progress, redrawn in place on a terminal: a bar when the pool's size is
 * known (Cognito's estimate, so it is capped at full), the counts always.
 *
 * @internal
 */
export function progressLine(report: ReconcileReport, total?: number): string {
  const { scanned, created, updated, errors } = report;
  const counts = `${scanned} users, ${created} created, ${updated} repaired, ${errors} failed`;
  if (total === undefined || total <= 0) return counts.padEnd(78);
  const share = Math.min(1, scanned / total);
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}%`;
  return `${bar} ${counts}`.padEnd(78);
}

/** The report as an aligned table for a terminal. @internal */
export function reportTable(report: ReconcileReport): string {
  const rows: Array<[string, string | number]> = [
    ['users scanned', report.scanned],
    [report.dryRun ? 'rows to create' : 'rows created', report.created],
    [report.dryRun ? 'rows to repair' : 'rows repaired', report.updated],
    ['rows unchanged', report.unchanged],
    ['users skipped (status)', report.skipped],
    ['orphan rows', report.orphansChecked ? report.orphans : 'not checked (partial run)'],
    ['orphans marked/deleted', report.orphansResolved],
    ['welcomes sent', report.welcomes.sent],
    ['welcomes failed', report.welcomes.failed],
    ['welcomes pending', report.welcomes.pending],
    ['welcomes unknown', report.welcomes.unknown],
    ['users failed', report.errors],
    ['complete', report.complete ? 'yes' : `no${report.cursor ? `, cursor ${report.cursor}` : ''}`],
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  const failures = report.ids.errors.map((failure) => `  failed: ${failure.sub ?? '(no sub)'} ${failure.error}`);
  const orphans = report.ids.orphans.map((sub) => `  orphan: ${sub}`);
  // Welcomes that may or may not have gone out: an operator's call, so each is named.
  const unknown = report.ids.unknownWelcomes.map((sub) => `  welcome unknown: ${sub}`);
  return `${report.dryRun ? 'Reconcile (dry run)' : 'Reconcile'}\n${[...lines, ...orphans, ...unknown, ...failures].join('\n')}\n`;
}
