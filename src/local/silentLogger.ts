/**
 * A pino-shaped logger that drops everything. cognito-local (and the pino-http middleware
 * it installs) only call `child` and the level methods; the stack keeps trigger outcomes
 * in `invocations` instead of in logs.
 *
 * @internal
 */
export interface SilentLogger {
  readonly level: 'silent';
  child(): SilentLogger;
  trace(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  fatal(...args: unknown[]): void;
}

const ignore = (): void => undefined;

/** @internal */
export const silentLogger: SilentLogger = {
  level: 'silent',
  child: () => silentLogger,
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  fatal: ignore,
};
