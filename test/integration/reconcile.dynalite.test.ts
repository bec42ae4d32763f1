import { CognitoIdentityProviderClient, ListUsersCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { BatchGetItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import {
  asWelcome,
  ConfigurationError,
  createReconcileHandler,
  defaultProfile,
  isReconcileError,
  RECONCILE_CURSOR_KEY,
  reconcile,
  type ReconcileOptions,
  type ReconcileReport,
} from '../../src/index.js';
import { buildLambdaContext } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';

/*
 * Reconcile against a real dynalite, with Cognito's ListUsers mocked: the emulator ignores
 * paging, and throttling cannot be produced on demand.
 */
const POOL = 'eu-west-1_Pool123';
let dynamo: TestDynamo;
let table: string;
let tables = 0;
const cognitoClient = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const cognito = mockClient(cognitoClient);
const fast = { attempts: 3, baseMs: 1, maxMs: 5 };

const user = (index: number, overrides: Partial<UserType> = {}): UserType => ({
  Username: `member-${index}`,
  UserStatus: 'CONFIRMED',
  Enabled: true,
  UserCreateDate: new Date('2026-01-01T00:00:00Z'),
  Attributes: [
    { Name: 'sub', Value: randomUUID() },
    { Name: 'email', Value: `member-${index}@example.com` },
  ],
  ...overrides,
});
const subOf = (u: UserType) => u.Attributes!.find((a) => a.Name === 'sub')!.Value!;

/** Serves these pages in order, each with the token of the next ('t1', 't2', ...). */
function servePages(pages: UserType[][]): void {
  cognito.on(ListUsersCommand).callsFake((input: { PaginationToken?: string }) => {
    const index = input.PaginationToken === undefined ? 0 : Number(input.PaginationToken.slice(1));
    return { Users: pages[index], ...(index + 1 < pages.length && { PaginationToken: `t${index + 1}` }) };
  });
}

// The mocks of this file serve one unpartitioned stream of pages (they ignore `Filter`), so
// runs here read the pool as one stream; partitioned reads have their own tests below.
const options = (extra: Partial<ReconcileOptions> = {}): ReconcileOptions =>
  ({ userPoolId: POOL, table: { name: table, client: dynamo.client }, cognitoClient, backoff: fast, partitionBySub: false, ...extra }) as ReconcileOptions;

const tokensAsked = () => cognito.commandCalls(ListUsersCommand).map((call) => call.args[0].input.PaginationToken);

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});
beforeEach(async () => {
  cognito.reset();
  table = `profiles-${++tables}`;
  await dynamo.createTable(table);
});

describe('reconcile paging, resuming and failures', () => {
  it('pages through ListUsers 60 at a time and reports progress after each page', async () => {
    const pages = [Array.from({ length: 60 }, (_, i) => user(i)), Array.from({ length: 60 }, (_, i) => user(60 + i)), [user(120)]];
    servePages(pages);
    const progress: ReconcileReport[] = [];

    const report = await reconcile(options({ onProgress: (p) => progress.push(p) }));

    expect(report).toMatchObject({ complete: true, scanned: 121, created: 121, errors: 0, orphansChecked: true });
    expect(report.cursor).toBeUndefined();
    expect(cognito.commandCalls(ListUsersCommand).map((c) => c.args[0].input.Limit)).toEqual([60, 60, 60]);
    expect(tokensAsked()).toEqual([undefined, 't1', 't2']);
    expect(progress.map((p) => [p.scanned, p.cursor])).toEqual([[60, 't1'], [120, 't2'], [121, undefined]]);
    expect(await dynamo.scan(table)).toHaveLength(121);
  });

  it('waits out Cognito throttling and goes on', async () => {
    const only = user(1);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: {} });
    cognito.on(ListUsersCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ Users: [only] });

    const report = await reconcile(options());

    expect(report).toMatchObject({ complete: true, created: 1 });
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(3);
  });

  it('stops with a typed error and the cursor of the failed page when throttling does not end', async () => {
    const first = [user(1), user(2)];
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: {} });
    cognito.on(ListUsersCommand, { PaginationToken: undefined }).resolves({ Users: first, PaginationToken: 't1' });
    cognito.on(ListUsersCommand, { PaginationToken: 't1' }).rejects(throttled);

    const error = await reconcile(options()).catch((e: unknown) => e);

    expect(isReconcileError(error)).toBe(true);
    const { report } = error as { report: ReconcileReport };
    expect(report).toMatchObject({ complete: false, cursor: 't1', created: 2 });
    expect((error as Error).cause).toMatchObject({ name: 'CognitoReadError' });
    expect(await dynamo.scan(table)).toHaveLength(2);
  });

  it('resumes from a cursor, and leaves the orphan check to full runs', async () => {
    servePages([[user(1)], [user(2)], [user(3)]]);

    const report = await reconcile(options({ cursor: 't1' }));

    expect(tokensAsked()).toEqual(['t1', 't2']);
    expect(report).toMatchObject({ complete: true, scanned: 2, created: 2, orphansChecked: false });
  });

  it('stops at a page boundary after stopAfterMs, with the cursor to go on', async () => {
    servePages([[user(1)], [user(2)], [user(3)]]);

    const report = await reconcile(options({ stopAfterMs: 0 }));

    expect(report).toMatchObject({ complete: false, cursor: 't1', scanned: 1, orphansChecked: false });
  });

  it('resolves with the cursor of the unfinished page when aborted', async () => {
    servePages([[user(1)], [user(2)], [user(3)]]);
    const controller = new AbortController();

    const report = await reconcile(options({ signal: controller.signal, onProgress: () => controller.abort() }));

    expect(report).toMatchObject({ complete: false, interrupted: true, cursor: 't1', scanned: 1 });
    expect(await dynamo.scan(table)).toHaveLength(1);
  });

  it('counts a user it cannot map, names the error but not the user, and goes on', async () => {
    const users = [user(1), user(2), user(3)];
    servePages([users]);
    const bad = subOf(users[1]!);

    const report = await reconcile(
      options({
        mapAttributes: (attributes, context) => {
          if (context.sub === bad) throw new Error(`cannot map ${attributes.email}`);
          return defaultProfile(attributes, context);
        },
      }),
    );

    expect(report).toMatchObject({ created: 2, errors: 1, ids: { errors: [{ sub: bad, error: 'InvalidProfileError' }] } });
    expect(JSON.stringify(report)).not.toContain('@example.com');
  });

  it('gives no row to users who never confirmed, and does not call their rows orphans', async () => {
    const pending = user(2, { UserStatus: 'UNCONFIRMED' });
    servePages([[user(1), pending]]);
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: { userId: { S: subOf(pending) } } }));

    const report = await reconcile(options());

    expect(report).toMatchObject({ scanned: 2, created: 1, skipped: 1, orphans: 0 });
  });

  it('deletes orphan rows when asked, and never touches its own control item', async () => {
    servePages([[user(1)]]);
    const gone = randomUUID();
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: { userId: { S: gone } } }));
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: { userId: { S: RECONCILE_CURSOR_KEY }, cursor: { S: 't9' } } }));

    const report = await reconcile(options({ orphans: 'delete' }));

    expect(report).toMatchObject({ orphans: 1, orphansResolved: 1, ids: { orphans: [gone] } });
    expect(await dynamo.getItem(table, { userId: gone })).toBeUndefined();
    expect(await dynamo.getItem(table, { userId: RECONCILE_CURSOR_KEY })).toMatchObject({ cursor: 't9' });
  });

  it('welcomes backfilled users only when created after welcomeUsersCreatedAfter', async () => {
    const before = user(1, { UserCreateDate: new Date('2026-01-01T00:00:00Z') });
    const after = user(2, { UserCreateDate: new Date('2026-06-01T00:00:00Z') });
    servePages([[before, after]]);
    const welcomed: unknown[] = [];

    const report = await reconcile(
      options({ onWelcome: (profile) => void welcomed.push(profile.userId), welcomeUsersCreatedAfter: new Date('2026-03-01T00:00:00Z') }),
    );

    expect(welcomed).toEqual([subOf(after)]);
    expect(report).toMatchObject({ created: 2, welcomes: { sent: 1, failed: 0, pending: 0, unknown: 0 } });
    expect(await dynamo.getItem(table, { userId: subOf(after) })).toMatchObject({ welcomeSentAt: expect.any(String) });
    expect(await dynamo.getItem(table, { userId: subOf(before) })).not.toHaveProperty('welcomeSentAt');
  });

  it("runs a wrapped trigger handler (asWelcome) for a pending welcome, with a confirmation built from the user", async () => {
    const pending = user(1);
    servePages([[pending]]);
    const sub = subOf(pending);
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: sub, welcomeFailedAt: '2026-01-01T00:00:00.000Z' }) }));
    const seen: PostConfirmationTriggerEvent[] = [];
    const day10 = async (event: PostConfirmationTriggerEvent) => {
      seen.push(event);
      return event;
    };

    const report = await reconcile(options({ onWelcome: asWelcome(day10) }));

    expect(report.welcomes).toEqual({ sent: 1, failed: 0, pending: 0, unknown: 0 });
    expect(seen).toEqual([
      expect.objectContaining({
        triggerSource: 'PostConfirmation_ConfirmSignUp',
        userPoolId: POOL,
        region: 'eu-west-1',
        userName: 'member-1',
        request: { userAttributes: { sub, email: 'member-1@example.com' } },
      }),
    ]);
  });

  it('rereads keys DynamoDB left unprocessed and retries a throttled write', async () => {
    const only = user(1);
    servePages([[only]]);
    const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const ddb = mockClient(client);
    const key = { userId: { S: subOf(only) } };
    ddb.on(BatchGetItemCommand)
      .resolvesOnce({ Responses: { [table]: [] }, UnprocessedKeys: { [table]: { Keys: [key] } } })
      .resolves({ Responses: { [table]: [] } });
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $metadata: {} });
    ddb.on(PutItemCommand).rejectsOnce(throttled).resolves({});

    const report = await reconcile(options({ table: { name: table, client }, cursor: 't0' })); // a resumed run: no orphan scan to mock;

    expect(ddb.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input.RequestItems![table]!.Keys)).toEqual([[key], [key]]);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(2);
    expect(report).toMatchObject({ created: 1, errors: 0 });
  });

  it('never undoes a write made after the page was listed', async () => {
    const listed = user(1);
    servePages([[listed]]);
    const sub = subOf(listed);
    // The admin-change handler wrote a newer address after ListUsers answered.
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: sub, email: 'newer@example.com', updatedAt: '2999-01-01T00:00:00.000Z' }) }));

    const report = await reconcile(options());

    expect(report).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await dynamo.getItem(table, { userId: sub })).toMatchObject({ email: 'newer@example.com' });
  });

  it('does not apply a repair to a row written again between its read and its write', async () => {
    const listed = user(1);
    servePages([[listed]]);
    const sub = subOf(listed);
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: sub, email: 'stale@example.com', updatedAt: '2000-01-01T00:00:00.000Z' }) }));
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') {
          await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: sub, email: 'login@example.com', updatedAt: '2000-01-02T00:00:00.000Z' }) }));
        }
        return next(args);
      },
      { step: 'initialize', name: 'writeFirst' },
    );

    const report = await reconcile(options({ table: { name: table, client } }));

    expect(report).toMatchObject({ updated: 0, unchanged: 1, errors: 0 });
    expect(await dynamo.getItem(table, { userId: sub })).toMatchObject({ email: 'login@example.com' });
  });

  it('gives a backfilled row the Cognito creation time as createdAt', async () => {
    const joined = user(1, { UserCreateDate: new Date('2024-05-06T07:08:09Z') });
    servePages([[joined]]);

    await reconcile(options());

    expect(await dynamo.getItem(table, { userId: subOf(joined) })).toMatchObject({ createdAt: '2024-05-06T07:08:09.000Z' });
  });

  it('keeps enabled in step where the row tracks it, and records a disabled user', async () => {
    const disabled = user(1, { Enabled: false });
    const tracked = user(2, { Enabled: true });
    const untracked = user(3, { Enabled: true });
    servePages([[disabled, tracked, untracked]]);
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: subOf(tracked), enabled: false }) }));

    await reconcile(options());

    expect(await dynamo.getItem(table, { userId: subOf(disabled) })).toMatchObject({ enabled: false });
    expect(await dynamo.getItem(table, { userId: subOf(tracked) })).toMatchObject({ enabled: true });
    expect(await dynamo.getItem(table, { userId: subOf(untracked) })).not.toHaveProperty('enabled');
  });

  it('does not call a row an orphan when the look-up by sub finds its user', async () => {
    servePages([[user(1)]]);
    const lateSub = randomUUID();
    // Listed nowhere (say, it signed up after its page was listed), yet Cognito has it.
    cognito.on(ListUsersCommand, { Filter: `sub = "${lateSub}"` }).resolves({ Users: [{ Username: 'late', Attributes: [{ Name: 'sub', Value: lateSub }] }] });
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: lateSub, createdAt: '2000-01-01T00:00:00.000Z' }) }));
    // Keys that cannot be a sub: the look-up would not find them, so only their shape saves them.
    const notSubs = ['legacy key with spaces', 'settings', 'admin-1'];
    for (const key of notSubs) await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: key }) }));

    const report = await reconcile(options({ orphans: 'delete' }));

    expect(report).toMatchObject({ orphans: 0, orphansChecked: true, errors: 0 });
    expect(await dynamo.getItem(table, { userId: lateSub })).toBeDefined();
    for (const key of notSubs) expect(await dynamo.getItem(table, { userId: key }), key).toBeDefined();
  });

  describe.each(['report', 'mark', 'delete'] as const)('with orphans: %s', (mode) => {
    it("counts and resolves only UUID-keyed rows of this pool, and never looks the others up", async () => {
      servePages([[user(1)]]);
      const old = { createdAt: '2000-01-01T00:00:00.000Z', email: 'kept@example.com' };
      const orphanOfPool = { userId: randomUUID(), userPoolId: POOL, ...old };
      const orphanWithoutPool = { userId: randomUUID(), ...old };
      const left = [
        { userId: 'settings', theme: 'dark' },
        { userId: 'admin-1', ...old },
        { userId: 'legacy key with spaces', ...old },
        { userId: randomUUID().toUpperCase(), userPoolId: POOL, ...old }, // Cognito's subs are lower case
        { userId: randomUUID().replaceAll('-', ''), userPoolId: POOL, ...old },
        { userId: `${randomUUID()}-1`, userPoolId: POOL, ...old },
        { userId: randomUUID(), userPoolId: 'eu-west-1_OtherPool', ...old }, // a table shared by two pools
        { userId: randomUUID(), userPoolId: 42, ...old },
        { userId: RECONCILE_CURSOR_KEY, cursor: 't9', userPoolId: POOL },
      ];
      for (const row of [orphanOfPool, orphanWithoutPool, ...left]) {
        await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall(row) }));
      }
      const orphans = [orphanOfPool.userId, orphanWithoutPool.userId];

      const report = await reconcile(options({ orphans: mode }));

      expect(report).toMatchObject({ orphans: 2, orphansResolved: mode === 'report' ? 0 : 2, orphansChecked: true, errors: 0 });
      expect([...report.ids.orphans].sort()).toEqual([...orphans].sort());
      const lookedUp = cognito.commandCalls(ListUsersCommand).flatMap((call) => call.args[0].input.Filter ?? []);
      expect(lookedUp.sort()).toEqual(orphans.map((sub) => `sub = "${sub}"`).sort());
      for (const row of left) expect(await dynamo.getItem(table, { userId: row.userId }), row.userId).toEqual(row);
      for (const row of [orphanOfPool, orphanWithoutPool]) {
        const after = await dynamo.getItem(table, { userId: row.userId });
        if (mode === 'report') expect(after).toEqual(row);
        if (mode === 'mark') expect(after).toEqual({ ...row, deletedAt: expect.any(String), updatedAt: expect.any(String) });
        if (mode === 'delete') expect(after).toBeUndefined();
      }
    });
  });

  it('counts a failed orphan look-up against that row and finishes the check', async () => {
    servePages([[user(1)]]);
    const unknown = randomUUID();
    cognito.on(ListUsersCommand, { Filter: `sub = "${unknown}"` }).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: {} }));
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: unknown, createdAt: '2000-01-01T00:00:00.000Z' }) }));

    const report = await reconcile(options());

    expect(report).toMatchObject({ complete: true, orphansChecked: true, orphans: 0, errors: 1, ids: { errors: [{ sub: unknown, error: 'CognitoReadError' }] } });
  });

  it('reports an abort during the orphan check as interrupted, the check not done', async () => {
    servePages([[user(1)]]);
    const candidate = randomUUID();
    const controller = new AbortController();
    cognito.on(ListUsersCommand, { Filter: `sub = "${candidate}"` }).callsFake(() => {
      controller.abort();
      return { Users: [] };
    });
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: candidate, createdAt: '2000-01-01T00:00:00.000Z' }) }));

    const report = await reconcile(options({ signal: controller.signal }));

    expect(report).toMatchObject({ complete: true, interrupted: true, orphansChecked: false });
  });

  it('gives up on keys DynamoDB never processes, with a typed error', async () => {
    const only = user(1);
    servePages([[only]]);
    const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const ddb = mockClient(client);
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [table]: [] }, UnprocessedKeys: { [table]: { Keys: [{ userId: { S: subOf(only) } }] } } });

    const error = await reconcile(options({ table: { name: table, client } })).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'ReconcileError', cause: { name: 'ProfileReadError', operation: 'batchGetProfiles' } });
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(fast.attempts);
  });

  it('rejects bad options with the option named', async () => {
    await expect(reconcile(options({ userPoolId: 'not a pool' }))).rejects.toThrow(ConfigurationError);
    await expect(reconcile(options({ concurrency: 0 }))).rejects.toMatchObject({ option: 'concurrency' });
    await expect(reconcile(options({ orphans: 'purge' as never }))).rejects.toMatchObject({ option: 'orphans' });
    await expect(reconcile(options({ cursor: '' }))).rejects.toMatchObject({ option: 'cursor' });
  });
});

describe('createReconcileHandler', () => {
  it('saves its cursor when time runs short and continues there on the next run', async () => {
    servePages([[user(1)], [user(2)], [user(3)]]);
    const logger = recordingLogger();
    const handler = createReconcileHandler({ userPoolId: POOL, table: { name: table, client: dynamo.client }, cognitoClient, backoff: fast, partitionBySub: false, logger, reserveMs: 60_000 });

    // A Lambda with less than the reserve left stops after the first page.
    const first = await handler({}, buildLambdaContext({ remainingTimeMs: 30_000 }));
    expect(first).toMatchObject({ complete: false, cursor: 't1', created: 1 });
    expect(await dynamo.getItem(table, { userId: RECONCILE_CURSOR_KEY })).toMatchObject({ cursor: 't1' });

    const second = await handler({}, buildLambdaContext({ remainingTimeMs: 900_000 }));
    expect(tokensAsked()).toEqual([undefined, 't1', 't1', 't2']);
    expect(second).toMatchObject({ complete: true, created: 2 });
    const control = await dynamo.getItem(table, { userId: RECONCILE_CURSOR_KEY });
    expect(control).toMatchObject({ completedAt: expect.any(String) });
    expect(control).not.toHaveProperty('cursor');

    expect(logger.records.map((r) => r.record)).toEqual([
      expect.objectContaining({ message: 'cognito-profile-sync Reconcile', created: 1, complete: false, resumedFrom: false }),
      expect.objectContaining({ created: 2, complete: true, resumedFrom: true }),
    ]);
    expect(logger.text()).not.toContain('@example.com');
  });

  it('rejects when ListUsers fails, records no finished run, and drops a cursor Cognito refuses', async () => {
    const refused = Object.assign(new Error('bad token'), { name: 'InvalidParameterException', $metadata: {} });
    cognito.on(ListUsersCommand).rejects(refused);
    const logger = recordingLogger();
    const handler = createReconcileHandler({ userPoolId: POOL, table: { name: table, client: dynamo.client }, cognitoClient, backoff: fast, partitionBySub: false, logger });

    await expect(handler({}, buildLambdaContext({ remainingTimeMs: 900_000 }))).rejects.toMatchObject({ name: 'ReconcileError' });
    expect(await dynamo.getItem(table, { userId: RECONCILE_CURSOR_KEY })).toBeUndefined();

    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: { userId: { S: RECONCILE_CURSOR_KEY }, cursor: { S: 't4' }, userPoolId: { S: POOL } } }));
    await expect(handler({}, buildLambdaContext({ remainingTimeMs: 900_000 }))).rejects.toMatchObject({ name: 'ReconcileError' });
    expect(tokensAsked().at(-1)).toBe('t4');
    const control = await dynamo.getItem(table, { userId: RECONCILE_CURSOR_KEY });
    expect(control).not.toHaveProperty('cursor');
    expect(control).not.toHaveProperty('completedAt');
    expect(logger.records.map((r) => r.level)).toEqual(['error', 'error']);
    expect(logger.records[0]!.record).toMatchObject({ error: 'ReconcileError', scanned: 0 });
  });

  it.each([
    ['throttling that outlasts the retries', Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 400 } })],
    ['an internal error', Object.assign(new Error('oops'), { name: 'InternalErrorException', $metadata: { httpStatusCode: 500 } })],
    ['access denied', Object.assign(new Error('denied'), { name: 'NotAuthorizedException', $metadata: { httpStatusCode: 400 } })],
    ['a request timeout', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
  ])('keeps the saved cursor when its first page fails with %s, and resumes there next time', async (_label, failure) => {
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: RECONCILE_CURSOR_KEY, cursor: 't1', userPoolId: POOL }) }));
    cognito.on(ListUsersCommand).rejects(failure);
    const logger = recordingLogger();
    const handler = createReconcileHandler({ userPoolId: POOL, table: { name: table, client: dynamo.client }, cognitoClient, backoff: fast, logger });

    await expect(handler({}, buildLambdaContext({ remainingTimeMs: 900_000 }))).rejects.toMatchObject({ name: 'ReconcileError' });
    expect(tokensAsked()).toEqual(Array(failure.name === 'TooManyRequestsException' ? fast.attempts : 1).fill('t1'));
    expect(await dynamo.getItem(table, { userId: RECONCILE_CURSOR_KEY })).toMatchObject({ cursor: 't1' });

    // The next run, with Cognito answering again, goes on from the saved page.
    cognito.reset();
    servePages([[user(1)], [user(2)], [user(3)]]);
    const report = await handler({}, buildLambdaContext({ remainingTimeMs: 900_000 }));
    expect(tokensAsked()).toEqual(['t1', 't2']);
    expect(report).toMatchObject({ complete: true, scanned: 2 });
  });

  it('drops only the cursor Cognito refused: a later page refused is where the next run starts', async () => {
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: RECONCILE_CURSOR_KEY, cursor: 't1', userPoolId: POOL }) }));
    const refused = Object.assign(new Error('bad token'), { name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    cognito.on(ListUsersCommand, { PaginationToken: 't1' }).resolves({ Users: [user(1)], PaginationToken: 't2' });
    cognito.on(ListUsersCommand, { PaginationToken: 't2' }).rejects(refused);
    const handler = createReconcileHandler({ userPoolId: POOL, table: { name: table, client: dynamo.client }, cognitoClient, backoff: fast, logger: recordingLogger() });

    await expect(handler({}, buildLambdaContext({ remainingTimeMs: 900_000 }))).rejects.toMatchObject({ name: 'ReconcileError' });
    expect(await dynamo.getItem(table, { userId: RECONCILE_CURSOR_KEY })).toMatchObject({ cursor: 't2' });

    // Resumed at t2, Cognito refuses it again: now it is the run's own cursor, and it goes.
    await expect(handler({}, buildLambdaContext({ remainingTimeMs: 900_000 }))).rejects.toMatchObject({ name: 'ReconcileError' });
    expect(await dynamo.getItem(table, { userId: RECONCILE_CURSOR_KEY })).not.toHaveProperty('cursor');
  });

  it("ignores a cursor saved for another pool", async () => {
    servePages([[user(1)], [user(2)]]);
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: { userId: { S: RECONCILE_CURSOR_KEY }, cursor: { S: 't1' }, userPoolId: { S: 'eu-west-1_Other' } } }));
    const handler = createReconcileHandler({ userPoolId: POOL, table: { name: table, client: dynamo.client }, cognitoClient, backoff: fast, partitionBySub: false, logger: recordingLogger() });

    const report = await handler({}, buildLambdaContext({ remainingTimeMs: 900_000 }));

    expect(tokensAsked()).toEqual([undefined, 't1']);
    expect(report).toMatchObject({ complete: true, created: 2 });
  });

  it('fails at cold start on a bad option', () => {
    expect(() => createReconcileHandler({ userPoolId: POOL, table: '' })).toThrow(ConfigurationError);
    expect(() => createReconcileHandler({ userPoolId: POOL, table: 'profiles', reserveMs: -1 })).toThrow(/reserveMs/);
  });
});
