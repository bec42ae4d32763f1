import { errorName } from './errors.js';
import type { Logger, LogRecord } from './types.js';

/**
 * The default logger: one JSON line per record on stdout/stderr, which CloudWatch Logs
 * stores as a structured event.
 *
 * @internal
 */
export const jsonLineLogger = Object.fromEntries(
  (['info', 'warn', 'error'] as const).map((level) => [level, (record: LogRecord) => console[level](JSON.stringify(record))]),
) as unknown as Logger;

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
export function safeLog(logger: Logger, level: keyof Logger, record: LogRecord): void {
  try {
    logger[level](record);
  } catch {
    // Nothing sensible to do: the log line is lost, the confirmation goes on.
  }
}

/** The fields of a trigger invocation's log line that identify it. @internal */
export interface InvocationIds {
  readonly triggerSource?: string | undefined;
  readonly userPoolId?: string | undefined;
  readonly sub?: string | undefined;
  readonly userName?: string | undefined;
}

/**
 * The one log line of a trigger invocation: who (source, pool, sub), what happened, how
 * long it took. Error details are names only unless `logPersonalData` is on, since SDK and
 * SES messages can quote addresses.
 *
 * @internal
 */
export function invocationLog(logger: Logger, message: string, logPersonalData: boolean, startedAt = Date.now()) {
  const describeError = (error: unknown) => {
    const described: { name: string; cause?: string; message?: string } = { name: errorName(error) };
    if (error instanceof Error) {
      if (error.cause !== undefined) described.cause = errorName(error.cause);
      if (logPersonalData) described.message = error.message;
    }
    return described;
  };
  return {
    describeError,
    write(level: keyof Logger, ids: InvocationIds, fields: Record<string, unknown>): void {
      safeLog(logger, level, {
        message,
        triggerSource: ids.triggerSource,
        userPoolId: ids.userPoolId,
        sub: ids.sub,
        ...(logPersonalData && ids.userName !== undefined && { userName: ids.userName }),
        ...fields,
        durationMs: Date.now() - startedAt,
      });
    },
  };
}

/**
 * The identifying fields of an event that failed validation, taken only where they are
 * strings, so that even a malformed event's log line says where it came from.
 *
 * @internal
 */
export function idsOfUnknownEvent(event: unknown): InvocationIds {
  const { triggerSource, userPoolId, request } = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 128) : undefined);
  return { triggerSource: text(triggerSource), userPoolId: text(userPoolId), sub: text((request as { userAttributes?: { sub?: unknown } } | null | undefined)?.userAttributes?.sub) };
}
