import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient, ListUsersCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminChangeHandler, type AdminChangeOptions } from '../../src/index.js';
import { updateProfileFields } from '../../src/store/profileStore.js';
import { resolveTable } from '../../src/store/table.js';
import { buildCognitoApiCallEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';

// The table is a real dynalite: which write wins is decided by its conditions, so every
// ordering below is the server's answer. Cognito is mocked per handler (what each read
// returned is the point); the local-stack end-to-end tests drive the same handler against
// cognito-local. Concurrency is staged with an SDK middleware that holds a handler's writes
// until another handler has finished: "read before, written after".

const POOL = 'us-east-1_Pool999';
const TABLE = 'admin-profiles';
const SECOND = '2026-05-01T10:00:05Z'; // one CloudTrail second, shared by the calls below
let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(TABLE);
});
afterAll(async () => {
  await dynamo?.stop();
});

/** A user as ListUsers returns it, last modified at `lastModified`. */
function user(sub: string, email: string, lastModified: string, enabled = true): UserType {
  return {
    Username: sub,
    Enabled: enabled,
    UserStatus: 'CONFIRMED',
    UserLastModifiedDate: new Date(lastModified),
    Attributes: [
      { Name: 'sub', Value: sub },
      { Name: 'email', Value: email },
    ],
  };
}

/** A Cognito client of its own whose ListUsers answers with `found` (or no user). */
function cognitoReturning(found: UserType | undefined): CognitoIdentityProviderClient {
  const client = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  mockClient(client).on(ListUsersCommand).resolves({ Users: found ? [found] : [] });
  return client;
}

/** A DynamoDB client to dynalite whose UpdateItems wait, once reached, until released. */
function heldWrites() {
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateItemCommand') {
        reach();
        await released;
      }
      return next(args);
    },
    { step: 'initialize', name: 'holdWrites' },
  );
  return { client, reached, release };
}

function handler(found: UserType | undefined, options: { client?: DynamoDBClient; onDelete?: AdminChangeOptions['onDelete'] } = {}) {
  return createAdminChangeHandler({
    table: { name: TABLE, client: options.client ?? dynamo.client },
    userPoolId: POOL,
    cognitoClient: cognitoReturning(found),
    logger: recordingLogger(),
    ...(options.onDelete && { onDelete: options.onDelete }),
  });
}

const event = (eventName: string, sub: string, eventTime = SECOND) => buildCognitoApiCallEvent({ eventName, sub, userPoolId: POOL, eventTime });
const row = (sub: string) => dynamo.getItem(TABLE, { userId: sub });

describe('admin changes against dynalite: order', () => {
  it.each([
    ['the older state is written last', 'older-last'],
    ['the newer state is written last', 'newer-last'],
  ] as const)('applies events in any order, the row ends with the newer state: %s', async (_label, order) => {
    // Prepare: two changes in one CloudTrail second; each handler reads a different state
    const sub = randomUUID();
    const older = user(sub, 'first@example.com', '2026-05-01T10:00:05.100Z');
    const newer = user(sub, 'second@example.com', '2026-05-01T10:00:05.800Z');
    const [lateState, earlyState] = order === 'older-last' ? [older, newer] : [newer, older];
    const late = heldWrites();

    // Act: the late handler reads first, its write is held until the other has written
    const lateRun = handler(lateState, { client: late.client })(event('AdminUpdateUserAttributes', sub));
    await late.reached;
    const early = await handler(earlyState)(event('AdminUpdateUserAttributes', sub));
    late.release();
    const lateResult = await lateRun;
    const replay = await handler(newer)(event('AdminUpdateUserAttributes', sub));

    // Assess
    expect([early.outcome, lateResult.outcome]).toEqual(order === 'older-last' ? ['synced', 'stale'] : ['synced', 'synced']);
    expect(replay.outcome).toBe('synced');
    expect(await row(sub)).toMatchObject({ email: 'second@example.com', cognitoVersion: expect.stringMatching(/^2026-05-01T10:00:05\.800Z\|/) });
  });

  it('reports an older event arriving after a newer one as stale, writing nothing new', async () => {
    const sub = randomUUID();
    const late = heldWrites();
    const olderRun = handler(user(sub, 'first@example.com', '2026-05-01T10:00:05.100Z'), { client: late.client })(event('AdminUpdateUserAttributes', sub));
    await late.reached;
    const newer = await handler(user(sub, 'second@example.com', '2026-05-01T10:00:05.800Z'))(event('AdminUpdateUserAttributes', sub));
    const afterNewer = await row(sub);

    late.release();
    const older = await olderRun;

    expect(newer.outcome).toBe('synced');
    expect(older.outcome).toBe('stale');
    expect(await row(sub)).toEqual(afterNewer);
    expect(afterNewer).toMatchObject({ email: 'second@example.com' });
  });

  it.each([
    ['the earlier read is written last', 'earlier-last'],
    ['the later read is written last', 'later-last'],
  ] as const)('orders two reads with one last-modified time and different content by when they were read: %s', async (_label, order) => {
    // A change Cognito does not stamp (or two in one millisecond): the later read wins,
    // whichever write lands last.
    const sub = randomUUID();
    const sameTime = '2026-05-01T10:00:05.500Z';
    const enabled = user(sub, 'a@example.com', sameTime, true);
    const disabled = user(sub, 'a@example.com', sameTime, false);
    let outcomes: string[];
    if (order === 'earlier-last') {
      const late = heldWrites();
      const firstRead = handler(enabled, { client: late.client })(event('AdminEnableUser', sub));
      await late.reached;
      await new Promise((resolve) => setTimeout(resolve, 5)); // the reads are apart in time
      const secondRead = await handler(disabled)(event('AdminDisableUser', sub));
      late.release();
      outcomes = [secondRead.outcome, (await firstRead).outcome];
    } else {
      const firstRead = await handler(enabled)(event('AdminEnableUser', sub));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const secondRead = await handler(disabled)(event('AdminDisableUser', sub));
      outcomes = [firstRead.outcome, secondRead.outcome];
    }

    expect(outcomes).toEqual(order === 'earlier-last' ? ['synced', 'stale'] : ['synced', 'synced']);
    expect(await row(sub)).toMatchObject({ enabled: false });
  });

  it('orders rows written by the event-time scheme by that time once, then moves them to the new one', async () => {
    const sub = randomUUID();
    const legacy = { userId: sub, email: 'legacy@example.com', cognitoEventAt: '2026-05-01T10:00:05.000Z', createdAt: '2026-01-01T00:00:00.000Z' };
    await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: marshall(legacy) }));
    const current = user(sub, 'current@example.com', '2026-05-01T10:00:07.000Z');

    const earlier = await handler(current)(event('AdminUpdateUserAttributes', sub, '2026-05-01T10:00:01Z'));
    const untouched = await row(sub);
    const later = await handler(current)(event('AdminUpdateUserAttributes', sub, '2026-05-01T10:00:09Z'));
    const moved = await row(sub);

    expect(earlier.outcome).toBe('stale');
    expect(untouched).toEqual(legacy);
    expect(later.outcome).toBe('synced');
    expect(moved).toMatchObject({ email: 'current@example.com', createdAt: legacy.createdAt, cognitoVersion: expect.stringMatching(/^2026-05-01T10:00:07\.000Z\|/) });
    expect(moved).not.toHaveProperty('cognitoEventAt');
  });

  it('marks a deleted user and a late update for the gone user writes nothing', async () => {
    const sub = randomUUID();
    await handler(user(sub, 'x@example.com', '2026-05-01T09:00:00.000Z'))(event('AdminCreateUser', sub, '2026-05-01T09:00:00Z'));

    const deleted = await handler(undefined)(event('AdminDeleteUser', sub, '2026-05-01T11:00:00Z'));
    const late = await handler(undefined)(event('AdminUpdateUserAttributes', sub, '2026-05-01T10:00:00Z'));

    expect(deleted.outcome).toBe('marked');
    expect(late.outcome).toBe('user-gone');
    expect(await row(sub)).toMatchObject({ deletedAt: '2026-05-01T11:00:00.000Z', email: 'x@example.com' });
  });
});

describe('admin changes against dynalite: after a deletion no personal data comes back', () => {
  /** An update that read the user before the deletion, its write landing after it. */
  async function lateUpdateAround(sub: string, deletion: () => Promise<{ outcome: string }>) {
    const held = heldWrites();
    const update = handler(user(sub, 'changed@example.com', '2026-05-01T10:00:05.300Z'), { client: held.client })(event('AdminUpdateUserAttributes', sub));
    await held.reached;
    const deleted = await deletion();
    held.release();
    return { deleted: deleted.outcome, late: (await update).outcome };
  }

  it("onDelete: 'delete': the late update finds a tombstone holding only the key and the times", async () => {
    const sub = randomUUID();
    await handler(user(sub, 'before@example.com', '2026-05-01T10:00:01.000Z'))(event('AdminCreateUser', sub, '2026-05-01T10:00:01Z'));

    const outcomes = await lateUpdateAround(sub, () => handler(undefined, { onDelete: 'delete' })(event('AdminDeleteUser', sub)));

    expect(outcomes).toEqual({ deleted: 'deleted', late: 'stale' });
    expect(await row(sub)).toEqual({ userId: sub, deletedAt: '2026-05-01T10:00:05.000Z', updatedAt: expect.any(String) });
  });

  it("onDelete: 'mark' with no row yet: the deletion leaves a tombstone and the late update cannot fill it", async () => {
    const sub = randomUUID();

    const outcomes = await lateUpdateAround(sub, () => handler(undefined)(event('AdminDeleteUser', sub)));

    expect(outcomes).toEqual({ deleted: 'marked', late: 'stale' });
    expect(await row(sub)).toEqual({ userId: sub, deletedAt: '2026-05-01T10:00:05.000Z', updatedAt: expect.any(String) });
  });

  it("onDelete: 'mark': a late update in the deletion's own second neither refreshes nor un-marks the member record", async () => {
    const sub = randomUUID();
    await handler(user(sub, 'before@example.com', '2026-05-01T10:00:01.000Z'))(event('AdminCreateUser', sub, '2026-05-01T10:00:01Z'));

    const outcomes = await lateUpdateAround(sub, () => handler(undefined)(event('AdminDeleteUser', sub)));

    expect(outcomes).toEqual({ deleted: 'marked', late: 'stale' });
    expect(await row(sub)).toMatchObject({ email: 'before@example.com', deletedAt: '2026-05-01T10:00:05.000Z' });
  });

  it('keeps the first deletion time on a replay, and strips every field the row had, welcome bookkeeping included', async () => {
    const sub = randomUUID();
    const full = { userId: sub, email: 'a@example.com', plan: 'pro', welcomeSentAt: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z' };
    await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: marshall(full) }));
    const remove = handler(undefined, { onDelete: 'delete' });

    await remove(event('AdminDeleteUser', sub, '2026-05-01T10:00:05Z'));
    const replay = await remove(event('AdminDeleteUser', sub, '2026-05-01T10:09:00Z'));

    expect(replay.outcome).toBe('deleted');
    expect(await row(sub)).toEqual({ userId: sub, deletedAt: '2026-05-01T10:00:05.000Z', updatedAt: expect.any(String) });
  });

  it('strips fields written onto the row between the mark and the removal by a writer that does not check deletedAt', async () => {
    const sub = randomUUID();
    await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: marshall({ userId: sub, email: 'a@example.com' }) }));
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    let updates = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand' && ++updates === 2) {
          // Between the mark and the first removal, an unconditioned sign-in write lands.
          await dynamo.client.send(
            new UpdateItemCommand({
              TableName: TABLE,
              Key: marshall({ userId: sub }),
              UpdateExpression: 'SET phoneNumber = :p',
              ExpressionAttributeValues: marshall({ ':p': '+15555550100' }),
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'interleaveWriter' },
    );

    const result = await handler(undefined, { client, onDelete: 'delete' })(event('AdminDeleteUser', sub));

    expect(result.outcome).toBe('deleted');
    expect(updates).toBe(3);
    expect(await row(sub)).toEqual({ userId: sub, deletedAt: '2026-05-01T10:00:05.000Z', updatedAt: expect.any(String) });
  });

  it('keeps any sync that opts into notDeleted off a tombstone (the condition PreTokenGeneration and reconcile can use)', async () => {
    const sub = randomUUID();
    await handler(undefined, { onDelete: 'delete' })(event('AdminDeleteUser', sub));
    const table = resolveTable({ name: TABLE, client: dynamo.client });
    const signal = new AbortController().signal;
    const now = new Date().toISOString();

    const refused = await updateProfileFields(table, sub, { fields: { email: 'back@example.com' }, now, mode: 'upsert', notDeleted: true }, signal);

    expect(refused).toBeUndefined();
    expect(await row(sub)).not.toHaveProperty('email');
  });
});
