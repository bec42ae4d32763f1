import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ProfileWriteError } from '../errors.js';
import type { Profile } from '../types.js';
import { keyOf, send, unlessConditionFails } from './send.js';
import type { ResolvedTable } from './table.js';

/*
 * The deletion writes of the admin-change handler. A deleted user's row keeps `deletedAt`
 * for good: every sync write is conditioned on its absence, so an update whose Cognito read
 * happened before the deletion but whose write lands after it finds the row closed. Both
 * writes are UpdateItems (the handler needs no other permission), and both create the row
 * when there is none, since a missing row is exactly what such a late sync would fill.
 */

/** When the user was deleted (the CloudTrail time) and when this write happens. @internal */
export interface Deletion {
  readonly deletedAt: string;
  readonly now: string;
}

/**
 * What a tombstone keeps besides the key: nothing personal, only when, what order, and
 * whether the user's erasure (`onUserDeleted`) is done, so that it never runs again.
 */
const TOMBSTONE_FIELDS: ReadonlySet<string> = new Set(['deletedAt', 'updatedAt', 'erasedAt']);

/** Passes at stripping a tombstone before giving up: each pass removes what the last saw. */
const MAX_STRIP_PASSES = 3;

/**
 * Marks the user's row deleted (`onDelete: 'mark'`): sets `deletedAt` unless it is already
 * set (a replay or reconcile marked it first, and the first time stands), keeping the row's
 * fields as the member record. Creates a tombstone when there is no row.
 *
 * @returns the row as it is now.
 * @internal
 */
export async function markProfileDeleted(
  table: ResolvedTable,
  sub: string,
  deletion: Deletion,
  signal: AbortSignal,
  operation = 'markDeleted',
): Promise<Profile> {
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: keyOf(table, sub),
    UpdateExpression: 'SET #deletedAt = if_not_exists(#deletedAt, :deletedAt), #updatedAt = :now',
    ExpressionAttributeNames: { '#deletedAt': 'deletedAt', '#updatedAt': 'updatedAt' },
    ExpressionAttributeValues: marshall({ ':deletedAt': deletion.deletedAt, ':now': deletion.now }),
    ReturnValues: 'ALL_NEW',
  });
  const output = await send(table, operation, (client, options) => client.send(command, options), signal);
  return output.Attributes ? unmarshall(output.Attributes) : {};
}

/**
 * Replaces the user's row with a tombstone (`onDelete: 'delete'`): the key, `deletedAt` and
 * `updatedAt`, nothing else. The row is marked first, which shuts out every conditioned
 * sync; then every other attribute is removed. A writer that does not check `deletedAt` may
 * add fields between the two, so the removal repeats on what it finds left, a few times.
 *
 * @internal
 */
export async function tombstoneProfile(table: ResolvedTable, sub: string, deletion: Deletion, signal: AbortSignal): Promise<void> {
  await stripToTombstone(table, sub, await markProfileDeleted(table, sub, deletion, signal, 'tombstoneProfile'), signal);
}

/** The attributes of `row` a tombstone does not keep. @internal */
export function nonTombstoneFields(table: ResolvedTable, row: Profile): string[] {
  return Object.keys(row).filter((name) => name !== table.partitionKey && !TOMBSTONE_FIELDS.has(name));
}

/**
 * Strips a row already marked deleted, as last read (`row`), down to its tombstone,
 * repeating on what each pass finds left.
 *
 * @internal
 */
export async function stripToTombstone(table: ResolvedTable, sub: string, marked: Profile, signal: AbortSignal): Promise<void> {
  let row: Profile | undefined = marked;
  for (let pass = 0; ; pass += 1) {
    const extra = nonTombstoneFields(table, row);
    if (extra.length === 0) return;
    if (pass === MAX_STRIP_PASSES) {
      throw new ProfileWriteError('tombstoneProfile', table.name, new Error(`fields were still being written after ${pass} passes`));
    }
    row = await removeAttributes(table, sub, extra, signal);
    // The row is gone altogether (reconcile deleted it): nothing personal is left to strip.
    if (row === undefined) return;
  }
}

/** Removes the named attributes from a row that carries `deletedAt`; the row as it is now. */
async function removeAttributes(table: ResolvedTable, sub: string, attributes: readonly string[], signal: AbortSignal): Promise<Profile | undefined> {
  const names: Record<string, string> = { '#deletedAt': 'deletedAt' };
  attributes.forEach((attribute, index) => (names[`#r${index}`] = attribute));
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: keyOf(table, sub),
    UpdateExpression: `REMOVE ${attributes.map((_, index) => `#r${index}`).join(', ')}`,
    ConditionExpression: 'attribute_exists(#deletedAt)',
    ExpressionAttributeNames: names,
    ReturnValues: 'ALL_NEW',
  });
  const output = await unlessConditionFails(send(table, 'tombstoneProfile', (client, options) => client.send(command, options), signal));
  if (output === undefined) return undefined;
  return output.Attributes ? unmarshall(output.Attributes) : {};
}
