import { CognitoIdentityProviderClient, type ListUsersCommandInput } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReconcileHandler, isReconcileError, RECONCILE_CURSOR_KEY, type ReconcileHandlerOptions, type ReconcileReport } from '../../src/index.js';
import { buildLambdaContext } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';
import { makeUser, servePagedPool, strangerSub, subOf } from '../support/pagedPool.js';

/*
 * The scheduled handler's orphan check of a pool bigger than one invocation, slice by slice,
 * against a real dynalite, with a ListUsers fake that honours what Cognito honours (filters,
 * Limit, PaginationToken; cognito-local ignores the last two).
 */
const POOL = 'eu-west-1_Slice123';
const OLD = '2020-01-01T00:00:00.000Z';
let dynamo: TestDynamo;
let table: string;
let tables = 0;
const cognitoClient = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const cognito = mockClient(cognitoClient);
const fast = { attempts: 4, baseMs: 1, maxMs: 5 };
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 400 } });

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});
beforeEach(async () => {
  cognito.reset();
  tables += 1;
  table = `slices-${tables}`;
  await dynamo.createTable(table, 'userId');
});

const handlerWith = (extra: Omit<Partial<ReconcileHandlerOptions>, 'cognitoClient' | 'cognitoClientConfig'> = {}) =>
  createReconcileHandler({
    userPoolId: POOL,
    table: { name: table, client: dynamo.client },
    cognitoClient,
    backoff: fast,
    listUsersPerSecond: Infinity,
    logger: recordingLogger(),
    ...extra,
  });

/** A Lambda with the whole 15 minutes, which runs every slice that fits. */
const longRun = () => buildLambdaContext({ remainingTimeMs: 900_000 });
/** A Lambda that has time for one slice: after the first, less than the reserve is left. */
function oneSliceRun(): Context {
  let asked = 0;
  return { ...buildLambdaContext({ remainingTimeMs: 900_000 }), getRemainingTimeInMillis: () => ((asked += 1) <= 2 ? 900_000 : 1_000) };
}

async function putRow(sub: string, fields: Record<string, unknown> = {}) {
  await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: sub, userPoolId: POOL, createdAt: OLD, ...fields }) }));
}
const control = () => dynamo.getItem(table, { userId: RECONCILE_CURSOR_KEY });
const allOrphans = (reports: ReconcileReport[]) => reports.flatMap((report) => report.ids.orphans).sort();
/** The slice of `count` a `sub` falls in. */
const sliceOf = (sub: string, count: number) => Math.floor(Number.parseInt(sub.slice(0, 2), 16) / (256 / count));

describe('the scheduled orphan check, slice by slice', () => {
  it('checks every row once a cycle, one slice an invocation, each orphan confirmed by a look-up', async () => {
    const users = Array.from({ length: 80 }, () => makeUser());
    const pool = servePagedPool(cognito, users);
    for (const user of users) await putRow(subOf(user));
    // Two orphans in each of the four slices, one at each edge of its prefixes.
    const orphans = ['00', '3f', '40', '7f', '80', 'bf', 'c0', 'ff'].map((prefix) => strangerSub(prefix));
    for (const sub of orphans) await putRow(sub);
    await putRow('settings');
    await putRow(strangerSub().toUpperCase()); // not a Cognito sub: never checked
    const handler = handlerWith({ orphanSlices: 4, maxIds: 1000 });

    const reports: ReconcileReport[] = [];
    for (let slice = 0; slice < 4; slice += 1) {
      const before = pool.calls().length;
      reports.push(await handler({}, oneSliceRun()));
      const listed = pool.calls().slice(before).flatMap((input) => /^sub \^= "(.*)"$/.exec(input.Filter ?? '')?.[1] ?? []);
      // Slice i of 4: the 64 two-digit prefixes from i * 64, each its own stream.
      expect(new Set(listed)).toEqual(new Set(Array.from({ length: 64 }, (_, n) => (slice * 64 + n).toString(16).padStart(2, '0'))));
      expect(reports[slice]!.ids.orphans.every((sub) => sliceOf(sub, 4) === slice)).toBe(true);
      expect(reports[slice]).toMatchObject({ orphansChecked: true, slices: { of: 4, checked: 1, next: (slice + 1) % 4 }, complete: slice === 3 });
      expect(await control()).toMatchObject({ userPoolId: POOL, orphanSlice: (slice + 1) % 4, orphanSlices: 4 });
    }

    expect(allOrphans(reports)).toEqual([...orphans].sort());
    expect(pool.lookups().sort()).toEqual([...orphans].sort());
    expect(reports.reduce((sum, report) => sum + report.scanned, 0)).toBe(80);
    expect(await control()).toMatchObject({ completedAt: expect.any(String) });
  });

  it('runs the slices that fit in one invocation, and stops at the end of the cycle', async () => {
    const users = Array.from({ length: 30 }, () => makeUser());
    const pool = servePagedPool(cognito, users);
    const orphans = ['1a', '9b'].map((prefix) => strangerSub(prefix));
    for (const sub of orphans) await putRow(sub);

    const report = await handlerWith({ orphanSlices: 2 })({}, longRun());

    expect(report).toMatchObject({ complete: true, scanned: 30, created: 30, orphans: 2, slices: { of: 2, checked: 2, next: 0 } });
    expect(report.ids.orphans.sort()).toEqual(orphans.sort());
    // Each of the 256 two-digit prefixes listed once: the cycle did not start over.
    expect(pool.listed()).toHaveLength(256);
  });

  it('never reports a user who exists: created during the slice, missed by the listing, or of another slice', async () => {
    const pool = servePagedPool(cognito, [makeUser('0')]);
    // Created during the slice: its row is newer than the slice's start, and the listing passed it.
    const joined = makeUser('1');
    pool.users.push(joined);
    pool.unlisted.add(subOf(joined));
    await putRow(subOf(joined), { createdAt: new Date(Date.now() + 60_000).toISOString() });
    // Missed by the listing with an older row: the look-up finds the user.
    const missed = makeUser('2');
    pool.users.push(missed);
    pool.unlisted.add(subOf(missed));
    await putRow(subOf(missed));
    // Of the other slice (listed there, not here), and an orphan of the other slice.
    const other = makeUser('c');
    pool.users.push(other);
    await putRow(subOf(other));
    const otherOrphan = strangerSub('d');
    await putRow(otherOrphan);
    const orphan = strangerSub('3');
    await putRow(orphan);

    const report = await handlerWith({ orphanSlices: 2, orphans: 'delete' })({}, oneSliceRun());

    expect(report).toMatchObject({ orphansChecked: true, orphans: 1, orphansResolved: 1, ids: { orphans: [orphan] }, slices: { of: 2, checked: 1, next: 1 } });
    // Only the rows of slice 0 that no listing saw and that are older than the slice were looked up.
    expect(pool.lookups().sort()).toEqual([subOf(missed), orphan].sort());
    for (const kept of [joined, missed, other]) expect(await dynamo.getItem(table, { userId: subOf(kept) })).toBeDefined();
    expect(await dynamo.getItem(table, { userId: otherOrphan })).toBeDefined();
    expect(await dynamo.getItem(table, { userId: orphan })).toBeUndefined();
  });

  it.each([
    ['report', (row: Record<string, unknown> | undefined) => expect(row).not.toHaveProperty('deletedAt')],
    ['mark', (row: Record<string, unknown> | undefined) => expect(row).toMatchObject({ deletedAt: expect.any(String) })],
    ['delete', (row: Record<string, unknown> | undefined) => expect(row).toBeUndefined()],
  ] as const)("with orphans: '%s', treats the orphans of every slice as a whole run does", async (mode, expectOrphanRow) => {
    const users = Array.from({ length: 20 }, () => makeUser());
    servePagedPool(cognito, users);
    for (const user of users) await putRow(subOf(user));
    const orphans = ['2', '6', 'a', 'e'].map((prefix) => strangerSub(prefix));
    for (const sub of orphans) await putRow(sub);

    const report = await handlerWith({ orphanSlices: 4, orphans: mode })({}, longRun());

    expect(report).toMatchObject({ complete: true, orphans: 4, orphansResolved: mode === 'report' ? 0 : 4, errors: 0 });
    for (const sub of orphans) expectOrphanRow(await dynamo.getItem(table, { userId: sub }));
    for (const user of users) expect(await dynamo.getItem(table, { userId: subOf(user) })).not.toHaveProperty('deletedAt');
  });

  it('splits a slice that did not fit one invocation, and the next invocations redo only its halves', async () => {
    // 150 users in the partition "0": its listing takes three pages of 20 ms each.
    const users = [...Array.from({ length: 150 }, () => makeUser('0')), ...Array.from({ length: 20 }, () => makeUser('9'))];
    const pool = servePagedPool(cognito, users, undefined, 20);
    const orphans = [strangerSub('1'), strangerSub('f')];
    for (const sub of orphans) await putRow(sub);
    const handler = handlerWith();

    // 1 ms past the reserve: the first slice (the whole pool) stops after a page a stream.
    const cut = await handler({}, { ...longRun(), getRemainingTimeInMillis: () => 60_001 });
    expect(cut).toMatchObject({ complete: false, orphansChecked: false, orphans: 0, slices: { of: 2, checked: 0, next: 0 } });
    expect(cut.cursor).toBeUndefined();
    expect(await control()).toMatchObject({ orphanSlice: 0, orphanSlices: 2 });

    const before = pool.calls().length;
    const first = await handler({}, oneSliceRun());
    const second = await handler({}, oneSliceRun());
    const listed = pool.calls().slice(before).flatMap((input) => (input.PaginationToken === undefined ? (/^sub \^= "(.*)"$/.exec(input.Filter ?? '')?.[1] ?? []) : []));
    expect(listed).toHaveLength(256);
    expect(new Set(listed).size).toBe(256);
    expect(first).toMatchObject({ orphansChecked: true, ids: { orphans: [orphans[0]] }, slices: { of: 2, next: 1 } });
    expect(second).toMatchObject({ complete: true, ids: { orphans: [orphans[1]] }, slices: { of: 2, next: 0 } });
    expect(first.scanned + second.scanned).toBe(170);
  });

  it('does not split a slice cut short by an invocation that began with less than the reserve left', async () => {
    // 150 users in the stream "00" of slice 0 of 2: three pages.
    const users = Array.from({ length: 150 }, () => makeUser('00'));
    servePagedPool(cognito, users, undefined, 20);
    const handler = handlerWith({ orphanSlices: 2 });

    const cut = await handler({}, buildLambdaContext({ remainingTimeMs: 30_000 }));

    expect(cut).toMatchObject({ orphansChecked: false, slices: { of: 2, checked: 0, next: 0 } });
    expect(await control()).toMatchObject({ orphanSlice: 0, orphanSlices: 2 });
  });

  it('after an invocation that failed mid-cycle, redoes only the slice it failed in', async () => {
    const users = Array.from({ length: 40 }, () => makeUser());
    let failing = true;
    // Slice 2 of 4 (prefixes 80 to bf) cannot be listed: throttled past every retry.
    const pool = servePagedPool(cognito, users, (input: ListUsersCommandInput) =>
      failing && /^sub \^= "[89ab]/.test(input.Filter ?? '') ? throttled() : undefined,
    );
    const orphans = ['10', '50', '90', 'd0'].map((prefix) => strangerSub(prefix));
    for (const sub of orphans) await putRow(sub);
    const handler = handlerWith({ orphanSlices: 4 });

    const error = await handler({}, longRun()).catch((caught: unknown) => caught);
    expect(isReconcileError(error)).toBe(true);
    const partial = (error as { report: ReconcileReport }).report;
    expect(partial).toMatchObject({ slices: { of: 4, checked: 2, next: 2 } });
    expect(partial.ids.orphans.sort()).toEqual(orphans.slice(0, 2).sort());
    expect(await control()).toMatchObject({ orphanSlice: 2, orphanSlices: 4 });

    failing = false;
    const before = pool.calls().length;
    const lookupsBefore = pool.lookups().length;
    const report = await handler({}, longRun());
    const listed = pool.calls().slice(before).flatMap((input) => /^sub \^= "(.*)"$/.exec(input.Filter ?? '')?.[1] ?? []);
    expect(listed.every((prefix) => sliceOf(prefix, 4) >= 2)).toBe(true);
    expect(new Set(listed).size).toBe(128);
    expect(report).toMatchObject({ complete: true, slices: { of: 4, checked: 2, next: 0 } });
    expect(report.ids.orphans.sort()).toEqual(orphans.slice(2).sort());
    expect(pool.lookups().slice(lookupsBefore).sort()).toEqual(orphans.slice(2).sort());
  });

  it('waits out throttled listings, look-ups and scans', async () => {
    const users = Array.from({ length: 30 }, () => makeUser());
    const seen = new Set<string>();
    // The first call of every filter is throttled once.
    const pool = servePagedPool(cognito, users, (input) => {
      const key = `${input.Filter}|${input.PaginationToken}`;
      if (seen.has(key)) return undefined;
      seen.add(key);
      return throttled();
    });
    const orphans = ['3', 'b'].map((prefix) => strangerSub(prefix));
    for (const sub of orphans) await putRow(sub);
    // The table's client: the first Scan of each segment is throttled.
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const scanned = new Set<number>();
    let scansThrottled = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Segment?: number; TotalSegments?: number };
        if ((args as { input: unknown }).input !== undefined && 'TotalSegments' in input && !scanned.has(input.Segment!)) {
          scanned.add(input.Segment!);
          scansThrottled += 1;
          throw Object.assign(new Error('throughput'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
        }
        return next(args);
      },
      { step: 'initialize' },
    );

    const report = await handlerWith({ orphanSlices: 2, table: { name: table, client } })({}, longRun());

    expect(report).toMatchObject({ complete: true, errors: 0, scanned: 30, orphans: 2 });
    expect(report.ids.orphans.sort()).toEqual(orphans.sort());
    expect(pool.lookups().sort()).toEqual([...orphans, ...orphans].sort()); // each throttled once, then answered
    expect(scansThrottled).toBe(8);
    client.destroy();
  });

  it('rejects a slice count that is not a power of two from 1 to 256, naming the option', () => {
    for (const bad of [0, 3, 512, 1.5, '4']) {
      expect(() => handlerWith({ orphanSlices: bad as number })).toThrow(expect.objectContaining({ name: 'ConfigurationError', option: 'orphanSlices' }));
    }
  });
});

// The scan's filter is what keeps each slice's read to its own rows: the exact input.
describe('the slice scan', () => {
  it('reads its key range in parallel segments', async () => {
    servePagedPool(cognito, []);
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const inputs: Record<string, unknown>[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { TotalSegments?: number }).TotalSegments !== undefined) inputs.push(args.input as Record<string, unknown>);
        return next(args);
      },
      { step: 'initialize' },
    );

    await handlerWith({ orphanSlices: 8, table: { name: table, client } })({}, oneSliceRun());

    expect(inputs.map((input) => input.Segment).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(inputs[0]).toMatchObject({
      TotalSegments: 8,
      FilterExpression: '#pk >= :from AND #pk < :to',
      ExpressionAttributeValues: { ':from': { S: '00' }, ':to': { S: '20' } },
    });
    client.destroy();
  });
});
