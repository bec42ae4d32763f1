import { CognitoIdentityProviderClient, ListUsersCommand, type ListUsersCommandInput, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, isReconcileError, reconcile, type ReconcileOptions, type ReconcileReport } from '../../src/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { makeUser, servePagedPool, subOf } from '../support/pagedPool.js';

/*
 * Partitioned reads against a real dynalite, with a ListUsers fake that honours what real
 * Cognito honours: `Filter: sub ^= "x"`, `Limit` (at most 60) and `PaginationToken`.
 */
const POOL = 'eu-west-1_Parts123';
let dynamo: TestDynamo;
let table: string;
let tables = 0;
const cognitoClient = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const cognito = mockClient(cognitoClient);
const fast = { attempts: 3, baseMs: 1, maxMs: 5 };

/** The pool pages as Cognito does (test/support/pagedPool.ts); every call's input is kept. */
const servePool = (users: UserType[], failFor?: (input: ListUsersCommandInput) => Error | undefined) => servePagedPool(cognito, users, failFor).calls;

const options = (extra: Partial<ReconcileOptions> = {}): ReconcileOptions =>
  ({ userPoolId: POOL, table: { name: table, client: dynamo.client }, cognitoClient, backoff: fast, ...extra }) as ReconcileOptions;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});
beforeEach(async () => {
  cognito.reset();
  tables += 1;
  table = `parts-${tables}`;
  await dynamo.createTable(table, 'userId');
});

describe('reconcile in partitions by sub prefix', () => {
  it('reads the pool in 16 filtered partitions and works on every user once', async () => {
    const users = Array.from({ length: 500 }, () => makeUser());
    const calls = servePool(users);

    const report = await reconcile(options({ orphans: 'report' }));

    expect(report, JSON.stringify({ ...report, ids: report.ids.errors })).toMatchObject({ complete: true, scanned: 500, created: 500, errors: 0, orphansChecked: true });
    expect(report.cursor).toBeUndefined();
    const firstPages = calls().filter((input) => input.PaginationToken === undefined);
    expect(firstPages.map((input) => input.Filter).sort()).toEqual([...'0123456789abcdef'].map((digit) => `sub ^= "${digit}"`));
    expect(calls().every((input) => input.Limit === 60)).toBe(true);
    const rows = await dynamo.scan(table);
    expect(new Set(rows.map((row) => row.userId)).size).toBe(500);
  });

  it('keeps only the partition its own users when an emulator ignores the filter', async () => {
    const users = Array.from({ length: 40 }, () => makeUser());
    cognito.on(ListUsersCommand).resolves({ Users: users });

    const report = await reconcile(options());

    expect(report).toMatchObject({ complete: true, scanned: 40, created: 40, errors: 0 });
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(16);
  });

  it('stops at page boundaries with a cursor for every unfinished partition, and resuming covers each user once', async () => {
    // Three partitions of 130 users (three pages each), the other thirteen of a few each.
    const users = [...[...'012'].flatMap((digit) => Array.from({ length: 130 }, () => makeUser(digit))), ...Array.from({ length: 40 }, () => makeUser())];
    servePool(users);
    const reports: ReconcileReport[] = [];

    let cursor: string | undefined;
    do {
      const report = await reconcile(options({ stopAfterMs: 0, ...(cursor !== undefined && { cursor }) }));
      reports.push(report);
      cursor = report.cursor;
      if (report.complete) expect(cursor).toBeUndefined();
      else expect(cursor).toMatch(/^p1\./);
    } while (cursor !== undefined);

    // Each run does one page of every unfinished partition: three pages, three runs.
    expect(reports).toHaveLength(3);
    expect(reports.reduce((sum, report) => sum + report.scanned, 0)).toBe(users.length);
    expect(reports.reduce((sum, report) => sum + report.created, 0)).toBe(users.length);
    expect(reports.every((report) => report.errors === 0 && report.unchanged === 0)).toBe(true);
    expect(await dynamo.scan(table)).toHaveLength(users.length);
  });

  it('fails with the cursor of every unfinished partition when one partition keeps failing', async () => {
    const users = Array.from({ length: 300 }, () => makeUser());
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: {} });
    servePool(users, (input) => (input.Filter === 'sub ^= "7"' ? throttled : undefined));

    const error = await reconcile(options()).catch((caught: unknown) => caught);

    expect(isReconcileError(error)).toBe(true);
    const { report } = error as { report: ReconcileReport };
    expect(report.complete).toBe(false);
    // Resume: only partition 7 is left, from its first page, and the run now succeeds.
    cognito.reset();
    const calls = servePool(users);
    const resumed = await reconcile(options({ cursor: report.cursor! }));
    expect(resumed.complete).toBe(true);
    expect(new Set(calls().map((input) => input.Filter))).toEqual(new Set(['sub ^= "7"']));
    expect(report.created + resumed.created).toBe(300);
  });

  it('goes on from a cursor of an earlier version (a bare ListUsers token) as one stream', async () => {
    const users = Array.from({ length: 130 }, () => makeUser());
    const sorted = [...users].sort((a, b) => subOf(a).localeCompare(subOf(b)));
    const calls = servePool(users);

    const report = await reconcile(options({ cursor: ':60' }));

    expect(calls().map((input) => [input.Filter, input.PaginationToken])).toEqual([
      [undefined, ':60'],
      [undefined, ':120'],
    ]);
    expect(report).toMatchObject({ complete: true, scanned: 70 });
    expect((await dynamo.getItem(table, { userId: subOf(sorted[60]!) }))).toBeDefined();
  });

  it('refuses a cursor it did not write', async () => {
    await expect(reconcile(options({ cursor: 'p1.bm90IGpzb24' }))).rejects.toThrow(ConfigurationError);
    await expect(reconcile(options({ cursor: `p1.${Buffer.from('{"z":null}').toString('base64url')}` }))).rejects.toThrow(/cursor/);
  });

  it('refuses a rate that is not a positive number', async () => {
    await expect(reconcile(options({ listUsersPerSecond: 0 }))).rejects.toThrow(/listUsersPerSecond/);
    await expect(reconcile(options({ listUsersPerSecond: Number.NaN }))).rejects.toThrow(/listUsersPerSecond/);
  });

  it('leaves the row of a user deleted since the listing as it is: a deletion is final', async () => {
    const users = Array.from({ length: 3 }, () => makeUser());
    servePool(users);
    const tombstone = { userId: { S: subOf(users[0]!) }, deletedAt: { S: '2026-01-01T00:00:00.000Z' }, updatedAt: { S: '2000-01-01T00:00:00.000Z' } };
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: tombstone }));

    // Every user is new enough to be owed a welcome: none may go to the deleted one.
    const welcomed: string[] = [];
    const onWelcome = async (profile: Record<string, unknown>) => void welcomed.push(String(profile.userId));

    const report = await reconcile(options({ onWelcome, welcomeUsersCreatedAfter: new Date(0) }));

    expect(report).toMatchObject({ complete: true, created: 2, updated: 0, unchanged: 1, errors: 0 });
    expect(welcomed.sort()).toEqual([subOf(users[1]!), subOf(users[2]!)].sort());
    expect(await dynamo.getItem(table, { userId: subOf(users[0]!) })).toEqual({
      userId: subOf(users[0]!),
      deletedAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2000-01-01T00:00:00.000Z',
    });
  });

  it('does not call a row an orphan when its partition listed the user', async () => {
    const users = Array.from({ length: 64 }, () => makeUser());
    servePool(users);
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: { userId: { S: subOf(users[3]!) } } }));
    const gone = randomUUID();
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: { userId: { S: gone }, createdAt: { S: '2000-01-01T00:00:00.000Z' } } }));

    const report = await reconcile(options());

    expect(report).toMatchObject({ complete: true, orphans: 1, orphansChecked: true });
    expect(report.ids.orphans).toEqual([gone]);
  });
});

// Keeps the DynamoDB client import honest for readers: the rows live in a real dynalite.
void DynamoDBClient;
