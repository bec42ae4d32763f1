import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { WelcomeAttribute } from '../constants.js';
import type { Profile } from '../types.js';
import { marshallProfile } from './marshallProfile.js';
import type { ProfileAttributes } from './profileItem.js';
import { isConditionalCheckFailed, keyOf, send, unlessConditionFails } from './send.js';
import type { ResolvedTable } from './table.js';

/*
 * The writes of the triggers, the admin-change handler and reconcile: every DynamoDB
 * condition the library's guarantees rest on is written here (reads in profileReads.ts,
 * bookkeeping in controlItem.ts). Each attribute goes through ExpressionAttributeNames, so
 * no profile field or key name can collide with a reserved word.
 */

/**
 * The welcome attributes, by the placeholder names every welcome expression uses. A function,
 * not a module-level object, so that a bundle with no welcome leaves it out.
 */
function welcomeNames() {
  return {
    '#sentAt': WelcomeAttribute.SentAt,
    '#claimId': WelcomeAttribute.ClaimId,
    '#expiresAt': WelcomeAttribute.ClaimExpiresAt,
    '#failedAt': WelcomeAttribute.FailedAt,
  } as const;
}

/** A welcome claim: who holds it and until when. @internal */
export interface WelcomeClaim {
  readonly id: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/**
 * Creates the row unless one with this key exists (`attribute_not_exists` on the key). The
 * item may hold a welcome claim (`WelcomeAttempt.withClaim`), so that the common case takes a
 * single write. Without a `signal`, the client's own request timeouts bound the write (see `send`).
 *
 * @returns `created`, or `exists` when any row with this key was already there.
 * @internal
 */
export function createProfileItem(table: ResolvedTable, item: ProfileAttributes, signal: AbortSignal | undefined): Promise<'created' | 'exists'> {
  const command = new PutItemCommand({
    TableName: table.name,
    Item: item,
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': table.partitionKey },
  });
  return send(table, 'createProfile', (client, options) => client.send(command, options), signal).then(
    () => 'created',
    (error: unknown) => {
      if (isConditionalCheckFailed(error)) return 'exists';
      throw error;
    },
  );
}

/** The row with a welcome claim's attributes, so that its create takes the claim. @internal */
export function withWelcomeClaim(item: ProfileAttributes, claim: WelcomeClaim): ProfileAttributes {
  return { ...item, [WelcomeAttribute.ClaimId]: { S: claim.id }, [WelcomeAttribute.ClaimExpiresAt]: { N: String(claim.expiresAt) } };
}

/** {@link createProfileItem} for a profile as plain data, with a welcome claim when given. @internal */
export function createProfile(table: ResolvedTable, item: Profile, claim: WelcomeClaim | undefined, signal: AbortSignal | undefined) {
  const marshalled = marshallProfile(item);
  return createProfileItem(table, claim ? withWelcomeClaim(marshalled, claim) : marshalled, signal);
}

/**
 * Takes the welcome claim on an existing row that has no sent marker and no claim, or whose
 * sender threw (`welcomeFailedAt`, with its claim given up). With `takeOverUnknown` (the
 * `'at-least-once'` policy) a claim whose lease ran out is taken over too: its welcome is
 * unknown, and may have gone out. A live claim is never taken.
 *
 * @returns whether this caller now holds the claim.
 * @internal
 */
export async function claimWelcome(
  table: ResolvedTable,
  sub: string,
  claim: WelcomeClaim,
  now: number,
  takeOverUnknown: boolean,
  signal: AbortSignal,
): Promise<boolean> {
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: keyOf(table, sub),
    UpdateExpression: 'SET #claimId = :claimId, #expiresAt = :expiresAt REMOVE #failedAt',
    ConditionExpression: `attribute_exists(#pk) AND ${claimableWelcome(takeOverUnknown, ':now')}`,
    ExpressionAttributeNames: { '#pk': table.partitionKey, ...welcomeNames() },
    ExpressionAttributeValues: marshall({
      ':claimId': claim.id,
      ':expiresAt': claim.expiresAt,
      ...(takeOverUnknown && { ':now': now }),
    }),
  });
  const claimed = await unlessConditionFails(send(table, 'claimWelcome', (client, options) => client.send(command, options), signal));
  return claimed !== undefined;
}

/**
 * The condition under which a delivery may take the welcome claim: no sent marker, and no
 * claim (giving a claim up removes it, see releaseWelcomeClaim, so "no claim" is none or
 * failed), or with `takeOverUnknown` one whose lease ended before `now`. A missing row meets it.
 */
function claimableWelcome(takeOverUnknown: boolean, now: string): string {
  const noClaim = 'attribute_not_exists(#expiresAt)';
  return `attribute_not_exists(#sentAt) AND ${takeOverUnknown ? `(${noClaim} OR #expiresAt < ${now})` : noClaim}`;
}

/**
 * Records that the welcome completed and drops the claim and any earlier failure.
 * Conditional on the row existing, because an UpdateItem on a missing key would create a row
 * holding nothing but the marker.
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
    UpdateExpression: 'SET #sentAt = :sentAt REMOVE #claimId, #expiresAt, #failedAt',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#pk': table.partitionKey, ...welcomeNames() },
    ExpressionAttributeValues: marshall({ ':sentAt': sentAt }),
  });
  await unlessConditionFails(send(table, 'markWelcomeSent', (client, options) => client.send(command, options), signal));
}

/**
 * Gives up a claim after the sender threw, so that the next delivery (or reconcile) can send
 * at once under either policy, without waiting for the lease. Only this caller's own claim is
 * touched. The claim is removed and `welcomeFailedAt` set: a lease left to run out would make
 * the welcome unknown, which `'at-most-once'` never sends again.
 *
 * @internal
 */
export async function releaseWelcomeClaim(
  table: ResolvedTable,
  sub: string,
  claimId: string,
  failedAt: string,
  signal: AbortSignal,
): Promise<void> {
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: keyOf(table, sub),
    UpdateExpression: 'SET #failedAt = :failedAt REMOVE #claimId, #expiresAt',
    ConditionExpression: '#claimId = :claimId',
    ExpressionAttributeNames: {
      '#claimId': WelcomeAttribute.ClaimId,
      '#expiresAt': WelcomeAttribute.ClaimExpiresAt,
      '#failedAt': WelcomeAttribute.FailedAt,
    },
    ExpressionAttributeValues: marshall({ ':claimId': claimId, ':failedAt': failedAt }),
  });
  await unlessConditionFails(send(table, 'releaseWelcomeClaim', (client, options) => client.send(command, options), signal));
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
   * Write only if `value` is newer (greater as text) than the row's `attribute`, and set it:
   * state read earlier never replaces state read later. Rows written before `attribute`
   * existed are ordered by `legacy.attribute` instead (missing, or not after
   * `legacy.notAfter`), which the write then removes.
   */
  readonly version?: {
    readonly attribute: string;
    readonly value: string;
    readonly legacy?: { readonly attribute: string; readonly notAfter: string };
  };
  /**
   * Write only while the row has no `deletedAt`: once a user is deleted, no sync brings
   * their data back onto the row or its tombstone.
   */
  readonly notDeleted?: boolean;
  /**
   * Write only if the row's `updatedAt` is still this value (`null`: still has none), so a
   * repair computed from an earlier read never undoes a newer write.
   */
  readonly unchangedSince?: string | null;
  /**
   * Takes this welcome claim in the same write, which then holds only where
   * {@link claimWelcome} would take the claim (a missing row always): a sign-in that runs the
   * welcome claims it without a write of its own. `now` (epoch ms) ends unknown leases.
   */
  readonly welcomeClaim?: { readonly claim: WelcomeClaim; readonly now: number; readonly takeOverUnknown: boolean };
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
  const removals: string[] = [];
  if (update.version) {
    const { attribute, value, legacy } = update.version;
    names['#version'] = attribute;
    values[':version'] = value;
    assignments.push('#version = :version');
    const newer = '#version < :version';
    if (legacy === undefined) conditions.push(`(attribute_not_exists(#version) OR ${newer})`);
    else {
      names['#legacyVersion'] = legacy.attribute;
      values[':legacyVersion'] = legacy.notAfter;
      removals.push('#legacyVersion');
      const legacyNotNewer = '(attribute_not_exists(#legacyVersion) OR #legacyVersion <= :legacyVersion)';
      conditions.push(`(${newer} OR (attribute_not_exists(#version) AND ${legacyNotNewer}))`);
    }
  }
  if (update.notDeleted) {
    names['#deletedAt'] = 'deletedAt';
    conditions.push('attribute_not_exists(#deletedAt)');
  }
  if (update.welcomeClaim) {
    const { claim, now, takeOverUnknown } = update.welcomeClaim;
    const { SentAt, ClaimId, ClaimExpiresAt, FailedAt } = WelcomeAttribute;
    Object.assign(names, { '#sentAt': SentAt, '#claimId': ClaimId, '#expiresAt': ClaimExpiresAt, '#failedAt': FailedAt });
    Object.assign(values, { ':claimId': claim.id, ':expiresAt': claim.expiresAt, ...(takeOverUnknown && { ':claimNow': now }) });
    assignments.push('#claimId = :claimId', '#expiresAt = :expiresAt');
    removals.push('#failedAt');
    conditions.push(claimableWelcome(takeOverUnknown, ':claimNow'));
  }
  const command = new UpdateItemCommand({
    TableName: table.name,
    Key: keyOf(table, sub),
    UpdateExpression: `SET ${assignments.join(', ')}${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`,
    ...(conditions.length > 0 && { ConditionExpression: conditions.join(' AND ') }),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshallProfile(values),
    ReturnValues: 'ALL_NEW',
  });
  const output = await unlessConditionFails(send(table, operation, (client, options) => client.send(command, options), signal));
  if (output === undefined) return undefined;
  return output.Attributes ? unmarshall(output.Attributes) : {};
}

/**
 * Deletes the row of a user who was deleted from the pool. Unconditional: a `sub` is never
 * reused, so a deletion is always the user's last event.
 *
 * @internal
 */
export async function deleteProfile(table: ResolvedTable, sub: string, signal: AbortSignal): Promise<void> {
  const command = new DeleteItemCommand({ TableName: table.name, Key: keyOf(table, sub) });
  await send(table, 'deleteProfile', (client, options) => client.send(command, options), signal);
}
