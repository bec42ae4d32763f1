import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BackoffOptions, withBackoff } from '../backoff.js';
import { ProfileReadError, ProfileWriteError } from '../errors.js';
import type { ResolvedTable } from './table.js';

/** @internal */
export const marshallOptions = { removeUndefinedValues: true } as const;

/**
 * One SDK call of a store function, given the client and the options for `client.send`:
 * `undefined` when the call has no abort signal, which lets the SDK reuse its resolved
 * middleware on a client with `cacheMiddleware` (it does only when `send` gets no options).
 */
type Call<T> = (client: DynamoDBClient, options: { abortSignal: AbortSignal } | undefined) => Promise<T>;

/** The error a failed call becomes: a step that only reads says so, every other step writes. */
type Failure = typeof ProfileWriteError | typeof ProfileReadError;

/**
 * The store's only way to DynamoDB: runs one call and turns any failure into a
 * `ProfileWriteError` (or, for a read, `ProfileReadError`) naming the step. A failed
 * condition is let through as it is, for {@link unlessConditionFails}. Without a `signal` the
 * call is bounded by the client's own request timeouts alone (see
 * `ResolvedTable.boundedRequests`). The read error is the caller's to name so that the
 * triggers, which only write, do not carry it.
 */
export function send<T>(
  table: ResolvedTable,
  operation: string,
  call: Call<T>,
  signal: AbortSignal | undefined,
  failure: Failure = ProfileWriteError,
): Promise<T> {
  // Not an async function: one promise less on the trigger's path. A client that throws at
  // once, or answers without a promise (a stub), is taken as an async one would be.
  let sending: Promise<T>;
  try {
    sending = Promise.resolve(call(table.client(), signal && { abortSignal: signal }));
  } catch (error) {
    sending = Promise.reject(error);
  }
  return sending.catch((error: unknown) => {
    if (isConditionalCheckFailed(error)) throw error;
    throw new failure(operation, table.name, error);
  });
}

/**
 * {@link send} for a read, retrying throttling with `backoff` (reconcile's reads). Apart from `send` so
 * that the triggers, which leave retries to the SDK, do not carry the backoff code.
 */
export function sendWithBackoff<T>(
  table: ResolvedTable,
  operation: string,
  call: Call<T>,
  signal: AbortSignal,
  backoff: Required<BackoffOptions>,
): Promise<T> {
  // The backoff sees through the wrapping error to the SDK's throttling (its `cause`).
  return withBackoff((abortSignal) => send(table, operation, call, abortSignal, ProfileReadError), backoff, signal);
}

/**
 * Matched by name as well as class: a client from another copy of the SDK throws its own
 * class of the same name.
 *
 * @internal
 */
export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** The result of a conditional write, or `undefined` when its condition did not hold. */
export async function unlessConditionFails<T>(sending: Promise<T>): Promise<T | undefined> {
  try {
    return await sending;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/**
 * The key of a user's row, as `marshall` would make it. Built by hand so that the store's
 * functions need no marshaller for it.
 *
 * @internal
 */
export function keyOf(table: ResolvedTable, sub: string): Record<string, AttributeValue> {
  return { [table.partitionKey]: { S: sub } };
}
