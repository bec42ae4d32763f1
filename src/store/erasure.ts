import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Profile } from '../types.js';
import { keyOf, send, unlessConditionFails } from './send.js';
import type { ResolvedTable } from './table.js';
import type { Deletion } from './tombstone.js';

/*
 * The writes of the once-only erasure (`onUserDeleted`). Its state lives on the deleted
 * user's row (or tombstone), like the welcome's: a claim with a lease while a delivery runs
 * it, `erasureFailedAt` when it threw, `erasedAt` once it completed, after which no claim
 * can be taken again. Unlike the welcome, a claim whose lease ran out is always taken over:
 * erasure is at least once.
 */

/**
 * Attribute names the library keeps on a deleted user's row for the once-only erasure.
 * `erasedAt` stays on the tombstone; the others are removed when the erasure is recorded.
 */
export const ErasureAttribute = {
  /** ISO 8601 time `onUserDeleted` completed; its presence means "never again". */
  ErasedAt: 'erasedAt',
  /** Random id of the delivery that holds the claim. */
  ClaimId: 'erasureClaimId',
  /** Epoch milliseconds when the claim's lease ends; past it, the next delivery or reconcile takes over. */
  ClaimExpiresAt: 'erasureClaimExpiresAt',
  /** ISO 8601 time `onUserDeleted` last threw; the claim was given up, so it is due again. */
  FailedAt: 'erasureFailedAt',
  /** `true` on a row `onDelete: 'delete'` (or `orphans: 'delete'`) strips once its erasure is recorded. */
  TombstoneAfter: 'tombstoneAfterErasure',
} as const;

/** An erasure claim: who holds it and until when (epoch milliseconds). @internal */
export interface ErasureClaim {
  readonly id: string;
  readonly expiresAt: number;
}

// Literal names, not `ErasureAttribute.…`: a module-level property read is kept by bundlers,
// and this module must cost nothing to handlers that never erase.
const NAMES = { '#deletedAt': 'deletedAt', '#erasedAt': 'erasedAt', '#claimId': 'erasureClaimId', '#expiresAt': 'erasureClaimExpiresAt' } as const;
/** No erasure recorded, and no live claim: a failed or lapsed one is taken over. */
const CLAIMABLE = 'attribute_not_exists(#erasedAt) AND (attribute_not_exists(#expiresAt) OR #expiresAt < :nowMs)';

async function update(table: ResolvedTable, operation: string, input: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName'>, signal: AbortSignal) {
  const command = new UpdateItemCommand({ TableName: table.name, ReturnValues: 'ALL_NEW', ...input });
  const output = await unlessConditionFails(send(table, operation, (client, options) => client.send(command, options), signal));
  if (output === undefined) return undefined;
  return output.Attributes ? unmarshall(output.Attributes) : {};
}

/**
 * Marks the user's row deleted and takes the erasure claim in one write, so a deletion costs
 * no extra write to claim. `existingOnly` (reconcile's orphans) never creates a row; else a
 * missing row becomes a tombstone, as {@link markProfileDeleted} does.
 *
 * @returns the row as it is now, or `undefined` when the claim was not taken (erased
 * already, another delivery holds a live claim, or an `existingOnly` row is gone): nothing
 * was written.
 * @internal
 */
export function markDeletedClaimingErasure(
  table: ResolvedTable,
  sub: string,
  deletion: Deletion,
  claim: ErasureClaim,
  options: { readonly existingOnly: boolean; readonly tombstoneAfter: boolean },
  signal: AbortSignal,
): Promise<Profile | undefined> {
  const sets = ['#deletedAt = if_not_exists(#deletedAt, :deletedAt)', '#updatedAt = :now', '#claimId = :claimId', '#expiresAt = :expiresAt'];
  if (options.tombstoneAfter) sets.push('#tombstoneAfter = :true');
  return update(
    table,
    'markDeletedClaimingErasure',
    {
      Key: keyOf(table, sub),
      UpdateExpression: `SET ${sets.join(', ')} REMOVE #failedAt`,
      ConditionExpression: options.existingOnly ? `attribute_exists(#pk) AND ${CLAIMABLE}` : CLAIMABLE,
      ExpressionAttributeNames: {
        ...NAMES,
        '#updatedAt': 'updatedAt',
        '#failedAt': ErasureAttribute.FailedAt,
        ...(options.existingOnly && { '#pk': table.partitionKey }),
        ...(options.tombstoneAfter && { '#tombstoneAfter': ErasureAttribute.TombstoneAfter }),
      },
      ExpressionAttributeValues: marshall({
        ':deletedAt': deletion.deletedAt,
        ':now': deletion.now,
        ':claimId': claim.id,
        ':expiresAt': claim.expiresAt,
        ':nowMs': Date.now(),
        ...(options.tombstoneAfter && { ':true': true }),
      }),
    },
    signal,
  );
}

/**
 * Takes the erasure claim on a row already marked deleted whose erasure is not recorded
 * (reconcile finishing an erasure left pending).
 *
 * @returns the row as it is now, or `undefined` when the claim was not taken.
 * @internal
 */
export function claimErasure(table: ResolvedTable, sub: string, claim: ErasureClaim, signal: AbortSignal): Promise<Profile | undefined> {
  return update(
    table,
    'claimErasure',
    {
      Key: keyOf(table, sub),
      UpdateExpression: 'SET #claimId = :claimId, #expiresAt = :expiresAt REMOVE #failedAt',
      ConditionExpression: `attribute_exists(#deletedAt) AND ${CLAIMABLE}`,
      ExpressionAttributeNames: { ...NAMES, '#failedAt': ErasureAttribute.FailedAt },
      ExpressionAttributeValues: marshall({ ':claimId': claim.id, ':expiresAt': claim.expiresAt, ':nowMs': Date.now() }),
    },
    signal,
  );
}

/**
 * Records that the erasure completed (`erasedAt`, the first time standing), drops the claim,
 * and removes `strip` in the same write: a tombstone is made in the write that records its
 * erasure, so a row is never left stripped with its erasure unrecorded.
 *
 * @returns the row as it is now, or `undefined` when the row is gone (nothing to record on).
 * @internal
 */
export function recordErasure(
  table: ResolvedTable,
  sub: string,
  erasedAt: string,
  strip: readonly string[],
  signal: AbortSignal,
): Promise<Profile | undefined> {
  const removals = new Set<string>([ErasureAttribute.ClaimId, ErasureAttribute.ClaimExpiresAt, ErasureAttribute.FailedAt, ...strip]);
  const names: Record<string, string> = { '#deletedAt': 'deletedAt', '#erasedAt': ErasureAttribute.ErasedAt };
  [...removals].forEach((attribute, index) => (names[`#r${index}`] = attribute));
  return update(
    table,
    'recordErasure',
    {
      Key: keyOf(table, sub),
      UpdateExpression: `SET #erasedAt = if_not_exists(#erasedAt, :erasedAt) REMOVE ${[...removals].map((_, index) => `#r${index}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(#deletedAt)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall({ ':erasedAt': erasedAt }),
    },
    signal,
  );
}

/**
 * Gives up this delivery's claim after `onUserDeleted` failed, so the next delivery (or
 * reconcile) runs it at once instead of waiting for the lease. Only this claim is touched.
 *
 * @internal
 */
export async function releaseErasureClaim(table: ResolvedTable, sub: string, claimId: string, failedAt: string, signal: AbortSignal): Promise<void> {
  await update(
    table,
    'releaseErasureClaim',
    {
      Key: keyOf(table, sub),
      UpdateExpression: 'SET #failedAt = :failedAt REMOVE #claimId, #expiresAt',
      ConditionExpression: '#claimId = :claimId',
      ExpressionAttributeNames: { '#claimId': ErasureAttribute.ClaimId, '#expiresAt': ErasureAttribute.ClaimExpiresAt, '#failedAt': ErasureAttribute.FailedAt },
      ExpressionAttributeValues: marshall({ ':claimId': claimId, ':failedAt': failedAt }),
      ReturnValues: 'NONE',
    },
    signal,
  );
}
