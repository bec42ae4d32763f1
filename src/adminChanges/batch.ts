import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  AdminChangeOutcome,
  type AdminChangeOptions,
  applyDeletion,
  applySync,
  type Config,
  type DeletionApplied,
  LOG_MESSAGE,
  validate,
} from '../adminChanges.js';
import { IgnoredReason } from '../cloudTrail.js';
import type { CognitoUsers } from '../cognitoUsers.js';
import { type Deadline, startDeadline } from '../deadline.js';
import { ConfigurationError } from '../errors.js';
import { invocationLog, safeLog } from '../log.js';
import { checkOptionsObject } from '../options.js';
import { checkListUsersPerSecond, type RateLimiter, rateLimiter } from '../rateLimit.js';
import { coalesceByUser, type PassedRecord, type UserWork } from './coalesce.js';
import { readBatchRecord, recordsOf } from './records.js';

/** Options of {@link createAdminChangeBatchHandler}. */
export type AdminChangeBatchOptions = AdminChangeOptions & {
  /**
   * Users worked on at once (each: one Cognito read, one write). Their reads also wait for
   * `listUsersPerSecond`, so a higher number only helps when reads or writes are slow.
   * @default 10
   */
  concurrency?: number;
  /**
   * The most `ListUsers` calls a second this function makes, shared by every batch it works
   * on. Cognito allows 30 a second per account and region for every caller together
   * (reconcile, your scripts): keep this times the function's concurrent instances (Kinesis
   * shards x parallelization factor; the SQS mapping's maximum concurrency) under what the
   * others leave. `Infinity` turns the limit off (an emulator, a test).
   * @default 25
   */
  listUsersPerSecond?: number;
  /**
   * The most a batch may take, in milliseconds; in Lambda, the function's remaining time
   * less `safetyMarginMs` bounds it. Users not done by then have their records reported
   * as failures, to be delivered again.
   * @default 900000 (Lambda's longest timeout, so the function's own timeout decides)
   */
  deadlineMs?: number;
};

/** A Kinesis or SQS batch of EventBridge events. */
export type AdminChangeBatchEvent = KinesisStreamEvent | SQSEvent;

/**
 * The batch handler: a Kinesis batch gets a Kinesis response (sequence numbers), an SQS
 * batch an SQS response (message ids). Either lists only the records that failed.
 */
export interface AdminChangeBatchHandler {
  (event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse>;
  (event: SQSEvent, context?: Context): Promise<SQSBatchResponse>;
  (event: AdminChangeBatchEvent, context?: Context): Promise<KinesisStreamBatchResponse | SQSBatchResponse>;
}

const BATCH_LOG_MESSAGE = 'cognito-profile-sync AdminChangeBatch';
const CONCURRENCY_DEFAULT = 10;
/** Lambda's longest timeout: in Lambda the context's remaining time is always the bound. */
const BATCH_DEADLINE_MS = 900_000;

function checkConcurrency(value: unknown): number {
  if (value === undefined) return CONCURRENCY_DEFAULT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw new ConfigurationError('concurrency', 'must be a whole number from 1 to 100');
  }
  return value;
}

/** Cognito look-ups that wait for the shared `ListUsers` rate first. */
function rateLimited(users: CognitoUsers, limiter: RateLimiter): CognitoUsers {
  return {
    ...users,
    async findBySub(userPoolId, sub, signal) {
      await limiter.take(signal);
      return users.findBySub(userPoolId, sub, signal);
    },
  };
}

/** Runs `task` for every item, at most `limit` at once, starting them in the items' order. */
async function inOrder<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) await task(items[index]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The one write that stands for a user's records: a deletion wins, else one read and write. */
async function applyUser(config: Config, work: UserWork, deadline: Deadline): Promise<DeletionApplied> {
  const { sub, userPoolId } = work;
  if (work.deletion) return applyDeletion(config, { kind: 'delete', eventName: work.deletion.eventName, userPoolId, sub }, work.deletion.eventTime, deadline);
  const change = work.change!;
  return { outcome: await applySync(config, { kind: 'sync', eventName: change.eventName, userPoolId, sub }, change.eventTime, deadline) };
}

/**
 * The admin-change handler for a Kinesis Data Streams or SQS event source carrying the
 * EventBridge events of CloudTrail's Cognito calls (Kinesis: each record's data is the
 * event's JSON; SQS: each message body is). The records of one user are coalesced into one
 * Cognito read, made after all of them, and one write, with the EventBridge handler's
 * ordering: a write never replaces fresher state, and a deletion is final. Users are worked
 * on `concurrency` at a time, their reads under `listUsersPerSecond`. Only the records of
 * users whose work failed (Cognito throttling, a failed write, the deadline) are returned in
 * `batchItemFailures`; a record that holds no applicable event is logged and skipped.
 * Turn on `ReportBatchItemFailures` on the event source mapping.
 *
 * @example
 * ```ts
 * export const handler = createAdminChangeBatchHandler({
 *   table: process.env.DDB_TABLE!,
 *   userPoolId: process.env.USER_POOL_ID!,
 *   listUsersPerSecond: 10,
 * });
 * ```
 */
export function createAdminChangeBatchHandler(options: AdminChangeBatchOptions): AdminChangeBatchHandler {
  checkOptionsObject(options);
  const concurrency = checkConcurrency(options.concurrency);
  const limiter = rateLimiter(checkListUsersPerSecond(options.listUsersPerSecond));
  const checked = validate({ ...options, deadlineMs: options.deadlineMs ?? BATCH_DEADLINE_MS });
  const config: Config = { ...checked, users: rateLimited(checked.users, limiter) };

  async function applyAdminChangeBatch(event: AdminChangeBatchEvent, context?: Context) {
    const log = invocationLog(config.logger, LOG_MESSAGE, config.logPersonalData);
    const records = recordsOf(event).map(readBatchRecord);
    const { users, passed } = coalesceByUser(records, config.userPoolId);
    passed.forEach((record) => logPassed(log, record));

    const deadline = startDeadline(context, config.deadline);
    const failed = new Set<string>();
    const outcomes: Partial<Record<AdminChangeOutcome | 'failed', number>> = {};
    await inOrder(users, concurrency, async (work) => {
      const ids = { userPoolId: work.userPoolId, sub: work.sub };
      const fields = { eventNames: [...work.eventNames], records: work.ids.length };
      try {
        const { outcome, erasure } = await applyUser(config, work, deadline);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        log.write('info', ids, { ...fields, outcome, ...(erasure !== undefined && { erasure }) });
      } catch (error) {
        work.ids.forEach((id) => failed.add(id));
        outcomes.failed = (outcomes.failed ?? 0) + 1;
        log.write('error', ids, { ...fields, outcome: 'failed', error: log.describeError(error) });
      }
    });

    // In batch order: Lambda resumes a Kinesis shard from the lowest failed sequence number.
    const batchItemFailures = records.flatMap((record) => (record.id !== undefined && failed.has(record.id) ? [{ itemIdentifier: record.id }] : []));
    safeLog(config.logger, batchItemFailures.length > 0 ? 'warn' : 'info', {
      message: BATCH_LOG_MESSAGE,
      userPoolId: config.userPoolId,
      source: records.find((record) => record.source !== undefined)?.source,
      records: records.length,
      users: users.length,
      passed: passed.length,
      failedRecords: batchItemFailures.length,
      outcomes,
    });
    return { batchItemFailures };
  }
  return applyAdminChangeBatch as AdminChangeBatchHandler;
}

function logPassed(log: ReturnType<typeof invocationLog>, record: PassedRecord): void {
  const outcome =
    record.reason === IgnoredReason.NoSub ? AdminChangeOutcome.Unidentified : record.problem === undefined ? AdminChangeOutcome.Ignored : 'skipped';
  log.write(record.problem === undefined ? 'info' : 'warn', { userPoolId: record.userPoolId, sub: record.sub }, {
    ...(record.eventName !== undefined && { eventName: record.eventName }),
    outcome,
    reason: record.reason,
    ...(record.problem !== undefined && { problem: record.problem }),
    record: record.id,
    source: record.source,
  });
}
