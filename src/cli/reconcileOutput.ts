import type { ReconcileFailure, ReconcileReport } from '../reconcile/report.js';

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
  const orphans = idList('orphan', report.ids.orphans, report.orphans, (sub) => sub);
  // Welcomes that may or may not have gone out: an operator's call, so each is named.
  const unknown = idList('welcome unknown', report.ids.unknownWelcomes, report.welcomes.unknown, (sub) => sub);
  const failures = idList('failed', report.ids.errors, report.errors, (failure: ReconcileFailure) => `${failure.sub ?? '(no sub)'} ${failure.error}`);
  return `${report.dryRun ? 'Reconcile (dry run)' : 'Reconcile'}\n${[...lines, ...orphans, ...unknown, ...failures].join('\n')}\n`;
}

/**
 * The ids the report kept, then how many it did not (`maxIds` caps each list): a count
 * alone would read as the whole list.
 */
function idList<T>(label: string, kept: readonly T[], count: number, show: (item: T) => string): string[] {
  const lines = kept.map((item) => `  ${label}: ${show(item)}`);
  const more = count - kept.length;
  if (more > 0 && kept.length === 0) lines.push(`  ${label}: ${more} not listed (--max-ids N lists them)`);
  else if (more > 0) lines.push(`  ${label}: … and ${more} more (--max-ids N lists more)`);
  return lines;
}
