import {
  BatchGetItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
  type GetItemCommandOutput,
  type ScanCommandOutput,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { WelcomeAttribute } from './constants.js';
import { type BackoffOptions, pause, withBackoff } from './backoff.js';
import { ProfileReadError, ProfileWriteError } from './errors.js';
import type { ResolvedTable } from './table.js';
import type { Profile } from './types.js';

/*
 * Every DynamoDB expression of the library lives in this file. Each attribute goes through
 * ExpressionAttributeNames, so no profile field or key name can collide with a reserved word.
 */

/** A welcome claim: who holds it and until when. @internal */
export interface WelcomeClaim {
  readonly id: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

const marshallOptions = { removeUndefinedValues: true } as const;

/**
 * Matched by name as well as class: a client from another copy of the SDK throws its own
 * class of the same name.
 */
function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

async function sendCommand(
  table: ResolvedTable,
  operation: string,
  command: PutItemCommand | UpdateItemCommand | DeleteItemCommand,
  signal: AbortSignal,
): Promise<{ status: 'ok'; output: { Attributes?: UpdateItemCommandOutput['Attributes'] } } | { status: 'condition-failed' }> {
  try {
    const output = await table.client().send(command as UpdateItemCommand, { abortSignal: signal });
    return { status: 'ok', output: output ?? {} };
  } catch (error) {
    if (isConditionalCheckFailed(error)) return { status: 'condition-failed' };
    throw new ProfileWriteError(operation, table.name, error);
  }
}

async function send(
  table: ResolvedTable,
  operation: string,
  command: PutItemCommand | UpdateItemCommand,
  signal: AbortSignal,
): Promise<'ok' | 'condition-failed'> {
  return (await sendCommand(table, operation, command, signal)).status;
}

/**
 * Creates the row unless one with this key exists (`attribute_not_exists` on the key), and
 * with a welcome claim when given, so that the common case takes a single write.
 *
 * @returns `created`, or `exists` when any row with this key was already there.
 * @internal
 */
export async function createProfile(
  table: ResolvedTable,
  item: Profile,
  claim: WelcomeClaim | undefined,
  signal: AbortSignal,
): Promise<'created' | 'exists'> {
  const withClaim = claim
    ? { ...item, [WelcomeAttribute.ClaimId]: claim.id, [WelcomeAttribute.ClaimExpiresAt]: claim.expiresAt }
    : item;
  const command = new PutItemCommand({
    TableName: table.name,
    Item: marshall(withClaim, marshallOptions),
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': table.partitionKey },
  });
  return (await send(table, 'createProfile', command, signal)) === 'ok' ? 'created' : 'exists';
}

function keyOf(table: ResolvedTable, sub: string) {
  return marshall({ [table.partitionKey]: sub });
}

/**
 * Takes the welcome claim on an existing row when the welcome was never completed and no
 * other delivery holds a live claim.
 *
 * @returns whether this caller now holds the claim.
 * @internal
 */
export async function claimWelcome(
  table: ResolvedTable,
  sub: string,
  claim: WelcomeClaim,
  now: number,
  signal: AbortSignal,
): Promise<boolean> {
  const rowExists = 'attribute_exists(#pk)';
  const notSent = 'attribute_not_exists(#sentAt)';
  const noLiveClaim = '(attribute_not_exists(#expiresAt) OR #expiresAt < :now)';
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: keyOf(table, sub),
    UpdateExpression: 'SET #claimId = :claimId, #expiresAt = :expiresAt',
    ConditionExpression: `${rowExists} AND ${notSent} AND ${noLiveClaim}`,
    ExpressionAttributeNames: {
      '#pk': table.partitionKey,
      '#sentAt': WelcomeAttribute.SentAt,
      '#claimId': WelcomeAttribute.ClaimId,
      '#expiresAt': WelcomeAttribute.ClaimExpiresAt,
    },
    ExpressionAttributeValues: marshall({ ':claimId': claim.id, ':expiresAt': claim.expiresAt, ':now': now }),
  });
  return (await send(table, 'claimWelcome', command, signal)) === 'ok';
}

/**
 * Records that the welcome completed and drops the claim. Conditional on the row existing,
 * because an UpdateItem on a missing key would create a row holding nothing but the marker.
 *
 * @internal
 */
export async function markWelcomeSent(
  table: ResolvedTable,
  sub: string,
  sentAt: string,
  signal: AbortSignal,
): Promise<void> {
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: keyOf(table, sub),
    UpdateExpression: 'SET #sentAt = :sentAt REMOVE #claimId, #expiresAt',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: {
      '#pk': table.partitionKey,
      '#sentAt': WelcomeAttribute.SentAt,
      '#claimId': WelcomeAttribute.ClaimId,
      '#expiresAt': WelcomeAttribute.ClaimExpiresAt,
    },
    ExpressionAttributeValues: marshall({ ':sentAt': sentAt }),
  });
  await send(table, 'markWelcomeSent', command, signal);
}

/**
 * Gives up a claim after a failed welcome so the next delivery can try at once, without
 * waiting for the lease. Only this caller's own claim is touched. The lease is expired
 * rather than removed: a claim without a sent marker is how reconcile tells a welcome that
 * is due from a row it backfilled for a user who signed up before the library.
 *
 * @internal
 */
export async function releaseWelcomeClaim(
  table: ResolvedTable,
  sub: string,
  claimId: string,
  signal: AbortSignal,
): Promise<void> {
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: keyOf(table, sub),
    UpdateExpression: 'SET #expiresAt = :released',
    ConditionExpression: '#claimId = :claimId',
    ExpressionAttributeNames: {
      '#claimId': WelcomeAttribute.ClaimId,
      '#expiresAt': WelcomeAttribute.ClaimExpiresAt,
    },
    ExpressionAttributeValues: marshall({ ':claimId': claimId, ':released': 0 }),
  });
  await send(table, 'releaseWelcomeClaim', command, signal);
}

/** How {@link updateProfileFields} may write. @internal */
export interface FieldsUpdate {
  /** Fields to set, as mapped from Cognito (the key and `createdAt` are ignored). */
  readonly fields: Profile;
  /** ISO 8601 time of this sync: `updatedAt`, and `createdAt` when the row is new. */
  readonly now: string;
  /**
   * `upsert` creates the row when it is missing; `existing` only updates a row that is
   * there, so a row deleted meanwhile is not brought back.
   */
  readonly mode: 'upsert' | 'existing';
  /**
   * Write only if the row's value of `attribute` is missing or not newer than `value`, and
   * set it to `value`: a late event never rolls a row back. Equal times pass, because
   * CloudTrail times have whole seconds and two changes can share one.
   */
  readonly notOlderThan?: { readonly attribute: string; readonly value: string };
  /**
   * Write only if the row's `updatedAt` is still this value (`null`: still has none), so a
   * repair computed from an earlier read never undoes a newer write.
   */
  readonly unchangedSince?: string | null;
}

/**
 * Sets Cognito-owned fields in one `UpdateItem`, keeping `createdAt` when present
 * (`if_not_exists`) and every field it was not given, and returns the row as it is now.
 *
 * @returns the updated row, or `undefined` when the condition did not hold.
 * @internal
 */
export async function updateProfileFields(
  table: ResolvedTable,
  sub: string,
  update: FieldsUpdate,
  signal: AbortSignal,
  operation = 'updateProfile',
): Promise<Profile | undefined> {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#createdAt': 'createdAt' };
  const values: Profile = { ':now': update.now };
  const assignments = ['#updatedAt = :now', '#createdAt = if_not_exists(#createdAt, :now)'];
  let index = 0;
  for (const [field, value] of Object.entries(update.fields)) {
    if (value === undefined || field === table.partitionKey || field === 'createdAt' || field === 'updatedAt') continue;
    names[`#f${index}`] = field;
    values[`:f${index}`] = value;
    assignments.push(`#f${index} = :f${index}`);
    index += 1;
  }
  const conditions: string[] = [];
  if (update.mode === 'existing') {
    names['#pk'] = table.partitionKey;
    conditions.push('attribute_exists(#pk)');
  }
  if (update.unchangedSince === null) conditions.push('attribute_not_exists(#updatedAt)');
  else if (update.unchangedSince !== undefined) {
    values[':seenUpdatedAt'] = update.unchangedSince;
    conditions.push('#updatedAt = :seenUpdatedAt');
  }
  if (update.notOlderThan) {
    names['#version'] = update.notOlderThan.attribute;
    values[':version'] = update.notOlderThan.value;
    assignments.push('#version = :version');
    conditions.push('(attribute_not_exists(#version) OR #version <= :version)');
  }
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: keyOf(table, sub),
    UpdateExpression: `SET ${assignments.join(', ')}`,
    ...(conditions.length > 0 && { ConditionExpression: conditions.join(' AND ') }),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshall(values, marshallOptions),
    ReturnValues: 'ALL_NEW',
  });
  const result = await sendCommand(table, operation, command, signal);
  if (result.status === 'condition-failed') return undefined;
  return result.output.Attributes ? unmarshall(result.output.Attributes) : {};
}

/**
 * Deletes the row of a user who was deleted from the pool. Unconditional: a `sub` is never
 * reused, so a deletion is always the user's last event.
 *
 * @internal
 */
export async function deleteProfile(table: ResolvedTable, sub: string, signal: AbortSignal): Promise<void> {
  const command = new DeleteItemCommand({ TableName: table.name, Key: keyOf(table, sub) });
  await sendCommand(table, 'deleteProfile', command, signal);
}

/**
 * Sends a read, retrying throttling with `backoff` when given; any failure that remains is a
 * `ProfileReadError` naming the step.
 */
async function read<T>(
  table: ResolvedTable,
  operation: string,
  command: BatchGetItemCommand | ScanCommand | GetItemCommand,
  signal: AbortSignal,
  backoff?: Required<BackoffOptions>,
): Promise<T> {
  const send = (s: AbortSignal) => table.client().send(command as GetItemCommand, { abortSignal: s }) as Promise<T>;
  try {
    return await (backoff ? withBackoff(send, backoff, signal) : send(signal));
  } catch (error) {
    throw new ProfileReadError(operation, table.name, error);
  }
}

/** BatchGetItem takes at most this many keys. */
const BATCH_GET_LIMIT = 100;

/**
 * Reads the rows of these users with strongly consistent `BatchGetItem`s, so a row the
 * trigger has just written is seen. Throttled calls, and keys DynamoDB leaves unprocessed,
 * are tried again with backoff, up to `backoff.attempts` times. Whole items are read: a
 * projection would not lower the cost.
 *
 * @returns the rows found, by `sub`.
 * @internal
 */
export async function getProfiles(
  table: ResolvedTable,
  subs: readonly string[],
  signal: AbortSignal,
  backoff: Required<BackoffOptions>,
): Promise<Map<string, Profile>> {
  const rows = new Map<string, Profile>();
  for (let start = 0; start < subs.length; start += BATCH_GET_LIMIT) {
    let keys = subs.slice(start, start + BATCH_GET_LIMIT).map((sub) => keyOf(table, sub));
    for (let attempt = 1; keys.length > 0; attempt += 1) {
      if (attempt > backoff.attempts) {
        throw new ProfileReadError('batchGetProfiles', table.name, new Error(`${keys.length} keys still unprocessed`));
      }
      if (attempt > 1) await pause(attempt - 1, backoff, signal);
      const command = new BatchGetItemCommand({ RequestItems: { [table.name]: { Keys: keys, ConsistentRead: true } } });
      const output = await read<BatchGetItemCommandOutput>(table, 'batchGetProfiles', command, signal, backoff);
      for (const item of output.Responses?.[table.name] ?? []) {
        const row = unmarshall(item);
        rows.set(String(row[table.partitionKey]), row);
      }
      keys = output.UnprocessedKeys?.[table.name]?.Keys ?? [];
    }
  }
  return rows;
}

/** What the orphan check reads of a row. @internal */
export interface RowKey {
  readonly sub: string;
  /** Already marked with `deletedAt`. */
  readonly deleted: boolean;
  readonly createdAt: string | undefined;
}

/**
 * Pages through the table reading the key, `deletedAt` and `createdAt`, for the orphan
 * check. A projection does not lower a scan's cost: it reads (and bills) every whole item.
 *
 * @internal
 */
export async function* scanProfileKeys(
  table: ResolvedTable,
  signal: AbortSignal,
  backoff: Required<BackoffOptions>,
): AsyncGenerator<RowKey[]> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const command = new ScanCommand({
      TableName: table.name,
      ProjectionExpression: '#pk, #deletedAt, #createdAt',
      ExpressionAttributeNames: { '#pk': table.partitionKey, '#deletedAt': 'deletedAt', '#createdAt': 'createdAt' },
      ...(startKey && { ExclusiveStartKey: startKey }),
    });
    const output = await read<ScanCommandOutput>(table, 'scanProfileKeys', command, signal, backoff);
    yield (output.Items ?? []).map((item) => {
      const row = unmarshall(item);
      return {
        sub: String(row[table.partitionKey]),
        deleted: row.deletedAt !== undefined,
        createdAt: typeof row.createdAt === 'string' ? row.createdAt : undefined,
      };
    });
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
}

/**
 * Reads a bookkeeping item of the library that lives in the profile table under a key no
 * `sub` can take (it starts with `#`), such as the scheduled reconcile's cursor.
 *
 * @internal
 */
export async function getControlItem(table: ResolvedTable, key: string, signal: AbortSignal): Promise<Profile | undefined> {
  const command = new GetItemCommand({ TableName: table.name, Key: keyOf(table, key), ConsistentRead: true });
  const output = await read<GetItemCommandOutput>(table, 'getControlItem', command, signal);
  return output.Item ? unmarshall(output.Item) : undefined;
}

/** Writes (or, given `undefined`, deletes) a bookkeeping item of the library. @internal */
export async function putControlItem(
  table: ResolvedTable,
  key: string,
  fields: Profile | undefined,
  signal: AbortSignal,
): Promise<void> {
  const command =
    fields === undefined
      ? new DeleteItemCommand({ TableName: table.name, Key: keyOf(table, key) })
      : new PutItemCommand({
          TableName: table.name,
          Item: marshall({ ...fields, [table.partitionKey]: key }, marshallOptions),
        });
  await sendCommand(table, fields === undefined ? 'deleteControlItem' : 'putControlItem', command, signal);
}
