import { CognitoIdentityProviderClient, ListUsersCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AdminChangeOptions,
  createAdminChangeBatchHandler,
  createAdminChangeHandler,
  ErasureAttribute,
  isErasureError,
  type Profile,
  type UserDeletedContext,
} from '../../src/index.js';
import { buildCognitoApiCallEvent, buildSqsEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { serveUsers } from '../support/listUsers.js';
import { recordingLogger } from '../support/logger.js';

/*
 * The admin-change handlers' erasure against a real dynalite: which delivery runs it is
 * decided by the table's conditions. Cognito is mocked (what the look-up by sub finds is the
 * point); test/e2e/erasure.test.ts drives the same handler against cognito-local.
 */
const POOL = 'us-east-1_Erase123';
let dynamo: TestDynamo;
let table: string;
let tables = 0;
const cognitoClient = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const cognito = mockClient(cognitoClient);

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});
beforeEach(async () => {
  cognito.reset();
  serveUsers(cognito, []);
  table = `erasure-${++tables}`;
  await dynamo.createTable(table);
});

/** An `onUserDeleted` that records its calls, and fails or waits as told. */
function erasure(behaviour: { fail?: number; hold?: Promise<void> } = {}) {
  const calls: { row: Profile; context: Omit<UserDeletedContext, 'signal'> & { signal: boolean } }[] = [];
  let failures = behaviour.fail ?? 0;
  const onUserDeleted = async (row: Profile, context: UserDeletedContext) => {
    calls.push({ row, context: { ...context, signal: context.signal instanceof AbortSignal } });
    await behaviour.hold;
    if (failures > 0) {
      failures -= 1;
      throw new Error(`CRM refused ${String(row.email)}`);
    }
  };
  return { onUserDeleted, calls };
}

function handler(onUserDeleted: AdminChangeOptions['onUserDeleted'], extra: Partial<AdminChangeOptions> = {}) {
  const logger = recordingLogger();
  const apply = createAdminChangeHandler({ table: { name: table, client: dynamo.client }, userPoolId: POOL, cognitoClient, logger, onUserDeleted, ...extra } as AdminChangeOptions);
  return { apply, logger };
}

const deletion = (sub: string, eventTime = '2026-05-01T10:00:00Z') => buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub, userPoolId: POOL, eventTime });
const putRow = (row: Profile) => dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall(row) }));
const row = (sub: string) => dynamo.getItem(table, { userId: sub });
const member = (sub: string) => ({ userId: sub, email: 'ada@example.com', name: 'Ada', userPoolId: POOL, createdAt: '2026-01-01T00:00:00.000Z' });

describe('onUserDeleted on the admin-change handler', () => {
  it('runs once across replayed deletion events, given the last row, and records erasedAt', async () => {
    // Prepare
    const sub = randomUUID();
    await putRow(member(sub));
    const work = erasure();
    const { apply } = handler(work.onUserDeleted);

    // Act: the deletion delivered three times, as EventBridge may
    const results = [await apply(deletion(sub)), await apply(deletion(sub)), await apply(deletion(sub))];

    // Assess
    expect(results.map((result) => [result.outcome, result.erasure])).toEqual([
      ['marked', 'erased'],
      ['marked', 'skipped'],
      ['marked', 'skipped'],
    ]);
    expect(work.calls).toEqual([
      {
        row: { ...member(sub), deletedAt: '2026-05-01T10:00:00.000Z', updatedAt: expect.any(String) },
        context: { sub, userPoolId: POOL, reason: 'user-deleted', deletedAt: '2026-05-01T10:00:00.000Z', signal: true },
      },
    ]);
    expect(await row(sub)).toEqual({ ...member(sub), deletedAt: '2026-05-01T10:00:00.000Z', updatedAt: expect.any(String), erasedAt: expect.any(String) });
  });

  it("with onDelete: 'delete', gives the row before it is stripped and leaves a tombstone holding erasedAt", async () => {
    const sub = randomUUID();
    await putRow(member(sub));
    const work = erasure();
    const { apply } = handler(work.onUserDeleted, { onDelete: 'delete' });

    const result = await apply(deletion(sub));
    await apply(deletion(sub));

    expect(result).toMatchObject({ outcome: 'deleted', erasure: 'erased' });
    expect(work.calls).toHaveLength(1);
    expect(work.calls[0]!.row).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
    expect(await row(sub)).toEqual({ userId: sub, deletedAt: '2026-05-01T10:00:00.000Z', updatedAt: expect.any(String), erasedAt: expect.any(String) });
  });

  it('erases a deleted user who had no row, from the tombstone it leaves', async () => {
    const sub = randomUUID();
    const work = erasure();
    const { apply } = handler(work.onUserDeleted);

    await apply(deletion(sub));

    expect(work.calls.map((call) => call.row)).toEqual([{ userId: sub, deletedAt: '2026-05-01T10:00:00.000Z', updatedAt: expect.any(String) }]);
    expect(await row(sub)).toMatchObject({ erasedAt: expect.any(String) });
  });

  it.each(['mark', 'delete'] as const)("runs again after a failure, with the same last row (onDelete: '%s')", async (onDelete) => {
    // Prepare: the first call throws
    const sub = randomUUID();
    await putRow(member(sub));
    const work = erasure({ fail: 1 });
    const { apply, logger } = handler(work.onUserDeleted, { onDelete });

    // Act
    const first = await apply(deletion(sub)).catch((error: unknown) => error);
    const between = await row(sub);
    const second = await apply(deletion(sub));
    const third = await apply(deletion(sub));

    // Assess: the failure rejects (EventBridge retries), gives its claim up, keeps the fields
    expect(isErasureError(first)).toBe(true);
    expect(first).toMatchObject({ sub, cause: { message: 'CRM refused ada@example.com' } });
    expect(between).toMatchObject({ email: 'ada@example.com', [ErasureAttribute.FailedAt]: expect.any(String) });
    expect(between).not.toHaveProperty(ErasureAttribute.ClaimId);
    expect(between).not.toHaveProperty(ErasureAttribute.ErasedAt);
    expect([second.erasure, third.erasure]).toEqual(['erased', 'skipped']);
    expect(work.calls.map((call) => call.row.email)).toEqual(['ada@example.com', 'ada@example.com']);
    const after = await row(sub);
    expect(after).toMatchObject({ erasedAt: expect.any(String) });
    for (const name of [ErasureAttribute.ClaimId, ErasureAttribute.ClaimExpiresAt, ErasureAttribute.FailedAt, ErasureAttribute.TombstoneAfter]) {
      expect(after).not.toHaveProperty(name);
    }
    if (onDelete === 'delete') expect(Object.keys(after!).sort()).toEqual(['deletedAt', 'erasedAt', 'updatedAt', 'userId']);
    // Logs name the sub, never the address the error carried
    expect(logger.records.find(({ level }) => level === 'error')?.record).toMatchObject({ sub, outcome: 'failed', error: { name: 'ErasureError', cause: 'Error' } });
    expect(logger.text()).not.toContain('ada@example.com');
  });

  it('never runs for a user who still exists, and writes nothing', async () => {
    const sub = randomUUID();
    await putRow(member(sub));
    const alive: UserType = { Username: sub, Enabled: true, Attributes: [{ Name: 'sub', Value: sub }] };
    serveUsers(cognito, [alive]);
    const work = erasure();
    const { apply } = handler(work.onUserDeleted);

    const error = await apply(deletion(sub)).catch((thrown: unknown) => thrown);

    expect(isErasureError(error)).toBe(true);
    expect((error as Error).message).toContain('still exists');
    expect(work.calls).toEqual([]);
    expect(await row(sub)).toEqual(member(sub));
    expect(cognito.commandCalls(ListUsersCommand).map((call) => call.args[0].input.Filter)).toEqual([`sub = "${sub}"`]);
  });

  it('runs once for concurrent deliveries of one deletion', async () => {
    // Prepare: the erasure waits until every delivery has been made
    const sub = randomUUID();
    await putRow(member(sub));
    let release!: () => void;
    const work = erasure({ hold: new Promise<void>((resolve) => (release = resolve)) });
    const { apply } = handler(work.onUserDeleted);

    // Act
    const deliveries = Array.from({ length: 6 }, () => apply(deletion(sub)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    const results = await Promise.all(deliveries);

    // Assess
    expect(work.calls).toHaveLength(1);
    expect(results.map((result) => result.erasure).sort()).toEqual(['erased', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(await row(sub)).toMatchObject({ erasedAt: expect.any(String) });
  });

  it('takes over a claim whose lease ran out (its process died), and leaves a live one to its holder', async () => {
    const lapsed = randomUUID();
    const live = randomUUID();
    const claimed = (sub: string, expiresAt: number) => ({ ...member(sub), deletedAt: '2026-05-01T10:00:00.000Z', [ErasureAttribute.ClaimId]: 'other', [ErasureAttribute.ClaimExpiresAt]: expiresAt });
    await putRow(claimed(lapsed, Date.now() - 1));
    await putRow(claimed(live, Date.now() + 60_000));
    const work = erasure();
    const { apply } = handler(work.onUserDeleted);

    const results = [await apply(deletion(lapsed)), await apply(deletion(live))];

    expect(results.map((result) => result.erasure)).toEqual(['erased', 'skipped']);
    expect(work.calls.map((call) => call.context.sub)).toEqual([lapsed]);
    expect(work.calls[0]!.row).not.toHaveProperty(ErasureAttribute.ClaimId);
    expect(await row(live)).toMatchObject({ [ErasureAttribute.ClaimId]: 'other' });
  });

  it("with onDelete: 'delete', leaves a row whose erasure is under way elsewhere whole, for its holder to strip once recorded", async () => {
    const sub = randomUUID();
    await putRow({ ...member(sub), deletedAt: '2026-05-01T10:00:00.000Z', [ErasureAttribute.ClaimId]: 'other', [ErasureAttribute.ClaimExpiresAt]: Date.now() + 60_000 });
    const work = erasure();
    const { apply } = handler(work.onUserDeleted, { onDelete: 'delete' });

    const result = await apply(deletion(sub));

    expect(result).toMatchObject({ outcome: 'deleted', erasure: 'skipped' });
    expect(work.calls).toEqual([]);
    expect(await row(sub)).toMatchObject({ email: 'ada@example.com', [ErasureAttribute.ClaimId]: 'other' });
  });

  it('aborts an erasure that outruns the deadline, gives its claim up, and the next delivery runs it', async () => {
    const sub = randomUUID();
    await putRow(member(sub));
    let aborted = false;
    let calls = 0;
    const onUserDeleted = (_row: Profile, { signal }: UserDeletedContext) => {
      calls += 1;
      if (calls > 1) return Promise.resolve();
      return new Promise<void>((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(signal.reason))));
    };
    const { apply } = handler(onUserDeleted, { deadlineMs: 1500 });

    const first = await apply(deletion(sub)).catch((error: unknown) => error);
    const second = await apply(deletion(sub));

    expect(first).toMatchObject({ name: 'ErasureError', message: expect.stringContaining('deadline') });
    expect(aborted).toBe(true);
    expect(second.erasure).toBe('erased');
    expect(calls).toBe(2);
  });

  it('refuses an onUserDeleted that is not a function, naming the option', () => {
    expect(() => handler('erase' as never)).toThrow(expect.objectContaining({ name: 'ConfigurationError', option: 'onUserDeleted' }));
  });
});

describe('onUserDeleted on the batch handler', () => {
  it("reports only the failed user's records, and their redelivery runs the erasure", async () => {
    // Prepare: two deleted users; the erasure of the first fails once
    const [failing, fine] = [randomUUID(), randomUUID()];
    await putRow(member(failing));
    await putRow(member(fine));
    const calls: string[] = [];
    let failures = 1;
    const onUserDeleted = async (_row: Profile, { sub }: UserDeletedContext) => {
      calls.push(sub);
      if (sub === failing && failures-- > 0) throw new Error('S3 unavailable');
    };
    const apply = createAdminChangeBatchHandler({ table: { name: table, client: dynamo.client }, userPoolId: POOL, cognitoClient, logger: recordingLogger(), onUserDeleted });
    const batch = buildSqsEvent({ events: [deletion(failing), deletion(fine), deletion(failing)] });
    const ids = batch.Records.map((record) => record.messageId);

    // Act
    const first = await apply(batch);
    const redelivered = await apply(buildSqsEvent({ events: [deletion(failing), deletion(fine)] }));

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: ids[0] }, { itemIdentifier: ids[2] }]);
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(calls).toEqual([failing, fine, failing]);
    for (const sub of [failing, fine]) expect(await row(sub)).toMatchObject({ erasedAt: expect.any(String) });
  });
});
