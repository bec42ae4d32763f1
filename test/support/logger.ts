import type { Logger } from '../../src/types.js';

export interface LoggedRecord {
  level: 'info' | 'warn' | 'error';
  record: Record<string, unknown>;
}

/** A logger that keeps what it is given, for assertions on log lines. */
export function recordingLogger(): Logger & { records: LoggedRecord[]; text(): string } {
  const records: LoggedRecord[] = [];
  return {
    records,
    info: (record) => records.push({ level: 'info', record }),
    warn: (record) => records.push({ level: 'warn', record }),
    error: (record) => records.push({ level: 'error', record }),
    text: () => records.map(({ record }) => JSON.stringify(record)).join('\n'),
  };
}
