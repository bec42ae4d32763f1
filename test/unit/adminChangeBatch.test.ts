import { CognitoIdentityProviderClient, ListUsersCommand, type ListUsersCommandInput } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  createAdminChangeBatchHandler,
  InvalidEventError,
  type AdminChangeBatchOptions,
} from '../../src/index.js';
import { buildCognitoApiCallEvent, buildKinesisStreamEvent, buildLambdaContext, buildSqsEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

// What the batch front end sends and when: the rate, the concurrency, the order, the deadline,
// the coalesced call's inputs. Which write wins is asserted against dynalite in
// test/integration/adminChangeBatch.dynalite.test.ts.

const ddb = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const POOL = 'eu-west-1_Batch123';
const subs = Array.from({ length: 8 }, (_, index) => `0000000${index}-1111-2222-3333-444444444444`);

function setup(options: Partial<AdminChangeBatchOptions> = {}) {
  const logger = recordingLogger();
  const handler = createAdminChangeBatchHandler({
    table: { name: 'profiles', client: new DynamoDBClient({ region: 'eu-west-1' }) },
    userPoolId: POOL,
    cognitoClient: new CognitoIdentityProviderClient({ region: 'eu-west-1' }),
    logger,
    ...options,
  } as AdminChangeBatchOptions);
  return { handler, logger };
}

const subOfFilter = (input: ListUsersCommandInput) => /"(.+)"/.exec(input.Filter ?? '')?.[1] ?? '';
const userFor = (sub: string) => ({
  Users: [{ Username: sub, Enabled: true, UserLastModifiedDate: new Date('2026-03-04T05:06:07.250Z'), Attributes: [{ Name: 'sub', Value: sub }, { Name: 'email', Value: 'a@example.com' }] }],
});
const change = (sub: string, eventName = 'AdminUpdateUserAttributes', eventTime = '2026-03-04T05:06:00Z') =>
  buildCognitoApiCallEvent({ eventName, sub, userPoolId: POOL, eventTime });

afterEach(() => {
  ddb.reset();
  cognito.reset();
  vi.useRealTimers();
});

describe('createAdminChangeBatchHandler options', () => {
  it.each([
    [{ concurrency: 0 }, 'concurrency'],
    [{ concurrency: 1.5 }, 'concurrency'],
    [{ concurrency: 101 }, 'concurrency'],
    [{ listUsersPerSecond: 0 }, 'listUsersPerSecond'],
    [{ listUsersPerSecond: '25' }, 'listUsersPerSecond'],
    [{ userPoolId: 'nope' }, 'userPoolId'],
  ])('refuses %o at cold start, naming the option', (options, option) => {
    expect(() => setup(options as Partial<AdminChangeBatchOptions>)).toThrow(ConfigurationError);
    expect(() => setup(options as Partial<AdminChangeBatchOptions>)).toThrow(expect.objectContaining({ option }));
  });

  it('refuses an event that is not a batch with a typed error naming Records', async () => {
    const { handler } = setup();

    await expect(handler(change(subs[0]!) as never)).rejects.toThrow(InvalidEventError);
    await expect(handler({} as never)).rejects.toMatchObject({ field: 'Records' });
  });
});

describe('createAdminChangeBatchHandler', () => {
  it('writes the latest change of a user once: its event name, the newest event time for old rows', async () => {
    // Prepare
    cognito.on(ListUsersCommand).callsFake((input) => userFor(subOfFilter(input)));
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: subs[0] }) });
    // The mapper sees the call that stands for them all
    const { handler } = setup({ mapAttributes: (_attributes, context) => ({ source: context.triggerSource }) });
    const events = [
      change(subs[0]!, 'AdminDisableUser', '2026-03-04T05:06:03Z'),
      change(subs[0]!, 'AdminEnableUser', '2026-03-04T05:06:09Z'),
      change(subs[0]!, 'AdminUpdateUserAttributes', '2026-03-04T05:06:01Z'),
    ];

    // Act
    const result = await handler(buildKinesisStreamEvent({ events }));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(1);
    const inputs = ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(1);
    const values = unmarshall(inputs[0]!.ExpressionAttributeValues!);
    expect(values[':legacyVersion']).toBe('2026-03-04T05:06:09.000Z');
    expect(Object.values(values)).toContain('AdminChange_AdminEnableUser');
  });

  it('marks a deleted user with the earliest deletion time, reading nothing', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: subs[0] }) });
    const { handler, logger } = setup();
    const events = [
      change(subs[0]!, 'AdminDeleteUser', '2026-03-04T05:06:09Z'),
      change(subs[0]!, 'AdminUpdateUserAttributes', '2026-03-04T05:06:01Z'),
      change(subs[0]!, 'DeleteUser', '2026-03-04T05:06:05Z'),
    ];

    const result = await handler(buildSqsEvent({ events }));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);
    const [input] = ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(unmarshall(input!.ExpressionAttributeValues!)[':deletedAt']).toBe('2026-03-04T05:06:05.000Z');
    expect(logger.records[0]!.record).toMatchObject({ sub: subs[0], outcome: 'marked', records: 3, eventNames: ['AdminDeleteUser', 'AdminUpdateUserAttributes', 'DeleteUser'] });
  });

  it('spaces Cognito reads at listUsersPerSecond, across batches of the same function', async () => {
    // Prepare
    vi.useFakeTimers({ now: 0, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const readAt: number[] = [];
    cognito.on(ListUsersCommand).callsFake((input) => {
      readAt.push(Date.now());
      return userFor(subOfFilter(input));
    });
    ddb.on(UpdateItemCommand).resolves({});
    const { handler } = setup({ listUsersPerSecond: 10, concurrency: 4 });

    // Act
    const first = handler(buildKinesisStreamEvent({ events: subs.slice(0, 5).map((sub) => change(sub)) }));
    await vi.advanceTimersByTimeAsync(450);
    const second = handler(buildSqsEvent({ events: subs.slice(5).map((sub) => change(sub)) }));
    await vi.advanceTimersByTimeAsync(1000);

    // Assess: ten a second is one every 100 ms, the second batch in line behind the first
    await expect(first).resolves.toEqual({ batchItemFailures: [] });
    await expect(second).resolves.toEqual({ batchItemFailures: [] });
    expect(readAt).toEqual([0, 100, 200, 300, 400, 500, 600, 700]);
  });

  it('works on at most `concurrency` users at once, starting them in the order they first appear', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    const started: string[] = [];
    cognito.on(ListUsersCommand).callsFake(async (input) => {
      started.push(subOfFilter(input));
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return userFor(subOfFilter(input));
    });
    ddb.on(UpdateItemCommand).resolves({});
    const { handler } = setup({ concurrency: 2, listUsersPerSecond: Infinity });
    const order = [3, 1, 3, 6, 0, 1, 7, 2, 6, 5, 4];

    // Act
    await handler(buildKinesisStreamEvent({ events: order.map((index) => change(subs[index]!)) }));

    // Assess
    expect(most).toBe(2);
    expect(started).toEqual([3, 1, 6, 0, 7, 2, 5, 4].map((index) => subs[index]));
  });

  it('reports the records of users not done by the deadline, and only theirs', async () => {
    // Prepare: the second user's read never answers
    cognito.on(ListUsersCommand).callsFake((input, getClient) => {
      void getClient;
      const sub = subOfFilter(input);
      return sub === subs[1] ? new Promise(() => {}) : userFor(sub);
    });
    ddb.on(UpdateItemCommand).resolves({});
    const { handler, logger } = setup({ concurrency: 1, listUsersPerSecond: Infinity, safetyMarginMs: 0 });
    const batch = buildKinesisStreamEvent({ events: [change(subs[0]!), change(subs[1]!), change(subs[2]!), change(subs[1]!)] });

    // Act
    const result = await handler(batch, buildLambdaContext({ remainingTimeMs: 300 }));

    // Assess
    const [, second, third, fourth] = batch.Records.map((record) => record.kinesis.sequenceNumber);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: second }, { itemIdentifier: third }, { itemIdentifier: fourth }]);
    expect(logger.records.filter(({ record }) => record.outcome === 'failed').map(({ record }) => [record.sub, (record.error as { name: string }).name])).toEqual([
      [subs[1], 'DeadlineExceededError'],
      [subs[2], 'DeadlineExceededError'],
    ]);
  });

  it('logs one summary line per batch, naming counts only', async () => {
    cognito.on(ListUsersCommand).callsFake((input) => userFor(subOfFilter(input)));
    ddb.on(UpdateItemCommand).resolves({});
    const { handler, logger } = setup();

    await handler(buildSqsEvent({ events: [change(subs[0]!), change(subs[0]!), change(subs[1]!), 'not json'] }));

    expect(logger.records.at(-1)).toEqual({
      level: 'info',
      record: { message: 'cognito-profile-sync AdminChangeBatch', userPoolId: POOL, source: 'aws:sqs', records: 4, users: 2, passed: 1, failedRecords: 0, outcomes: { synced: 2 } },
    });
  });
});

describe('createAdminChangeBatchHandler on any input', () => {
  const anything = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.string(),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  /** Records shaped like Kinesis and SQS ones whose payloads are anything, JSON or not. */
  const record = fc.oneof(
    anything,
    fc.record({ eventSource: fc.constant('aws:sqs'), messageId: fc.uuid(), body: fc.oneof(fc.string(), anything.map((value) => JSON.stringify(value) ?? '')) }),
    fc.record({
      eventSource: fc.constant('aws:kinesis'),
      kinesis: fc.record({ sequenceNumber: fc.string({ minLength: 1 }), data: fc.oneof(fc.string(), anything.map((value) => Buffer.from(JSON.stringify(value) ?? '').toString('base64'))) }),
    }),
  );

  it('never fails a batch for what its records hold, and refuses a non-batch only with InvalidEventError', async () => {
    const { handler, logger } = setup();

    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 5 }), anything, async (records, notABatch) => {
        await expect(handler({ Records: records } as never)).resolves.toEqual({ batchItemFailures: [] });
        const outcome = await handler(notABatch as never).then(
          () => 'resolved',
          (error: unknown) => error,
        );
        if (outcome !== 'resolved') expect(outcome).toBeInstanceOf(InvalidEventError);
      }),
      { numRuns: 200 },
    );
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);
    expect(logger.records.every(({ level }) => level !== 'error')).toBe(true);
  });
});
