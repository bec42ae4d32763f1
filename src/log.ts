import type { Logger } from './types.js';

/**
 * The default logger: one JSON line per record on stdout/stderr, which CloudWatch Logs
 * stores as a structured event.
 *
 * @internal
 */
export const jsonLineLogger: Logger = {
  info: (record) => console.info(JSON.stringify(record)),
  warn: (record) => console.warn(JSON.stringify(record)),
  error: (record) => console.error(JSON.stringify(record)),
};

/**
 * The logger to use for a user's `logger` option. The global `console` prints objects over
 * several lines, so it is swapped for the JSON-line logger that writes to it anyway.
 *
 * @internal
 */
export function resolveLogger(logger: Logger | undefined): Logger {
  if (logger === undefined || logger === (console as unknown)) return jsonLineLogger;
  return logger;
}

/**
 * Logs without letting a broken logger fail the trigger: a sign-up must not be refused
 * because a log transport threw.
 *
 * @internal
 */
export function safeLog(logger: Logger, level: keyof Logger, record: Record<string, unknown>): void {
  try {
    logger[level](record);
  } catch {
    // Nothing sensible to do: the log line is lost, the confirmation goes on.
  }
}
