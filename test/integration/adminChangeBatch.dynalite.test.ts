import { randomUUID } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type ListUsersCommandInput,
  TooManyRequestsException,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminChangeBatchHandler, createAdminChangeHandler, type AdminChangeBatchOptions } from '../../src/index.js';
import { buildCognitoApiCallEvent, buildKinesisStreamEvent, buildSqsEvent, type BatchPayload } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';

// The table is a real dynalite, so which write lands is decided by its conditions. Cognito's
// ListUsers is mocked: what each read returned, and how many reads there were, is the point.
// The local-stack test (test/e2e/adminChangeBatch.test.ts) drives the same handler against
// cognito-local.

const POOL = 'us-east-1_Batch0001';
const TABLE = 'batch-profiles';
let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(TABLE);
});
afterAll(async () => {
  await dynamo?.stop();
});

interface State {
  email: string;
  enabled: boolean;
  lastModified: string;
}

/** A Cognito whose ListUsers answers from `pool` (by the sub in the filter), counting reads by sub. */
function fakeCognito(pool: Map<string, State>, throttled: ReadonlySet<string> = new Set()) {
  const client = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const reads: string[] = [];
  mockClient(client)
    .on(ListUsersCommand)
    .callsFake(async (input: ListUsersCommandInput) => {
      const sub = /^sub = "(.+)"$/.exec(input.Filter ?? '')?.[1] ?? '';
      reads.push(sub);
      if (throttled.has(sub)) throw new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
      const state = pool.get(sub);
      const user: UserType | undefined = state && {
        Username: sub,
        Enabled: state.enabled,
        UserStatus: 'CONFIRMED',
        UserLastModifiedDate: new Date(state.lastModified),
        Attributes: [
          { Name: 'sub', Value: sub },
          { Name: 'email', Value: state.email },
        ],
      };
      return { Users: user ? [user] : [] };
    });
  return { client, reads };
}

/** A DynamoDB client to dynalite that counts the writes it sends. */
function countingDynamo() {
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const writes: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      writes.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countWrites' },
  );
  return { client, writes };
}

function batchHandler(cognito: CognitoIdentityProviderClient, options: Partial<AdminChangeBatchOptions> & { client?: DynamoDBClient } = {}) {
  const logger = recordingLogger();
  const { client, ...rest } = options;
  const handler = createAdminChangeBatchHandler({
    table: { name: TABLE, client: client ?? dynamo.client },
    userPoolId: POOL,
    cognitoClient: cognito,
    logger,
    listUsersPerSecond: Infinity,
    ...rest,
  } as AdminChangeBatchOptions);
  return { handler, logger };
}

/** A seeded shuffle, so that a failure replays the same order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let index = out.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [out[index], out[other]] = [out[other]!, out[index]!];
  }
  return out;
}

const deliveries = {
  kinesis: (events: BatchPayload[]) => buildKinesisStreamEvent({ events }),
  sqs: (events: BatchPayload[]) => buildSqsEvent({ events, queueArn: 'arn:aws:sqs:us-east-1:123456789012:admin-changes.fifo' }),
} as const;
const idOf = (record: { kinesis?: { sequenceNumber: string }; messageId?: string }) => record.kinesis?.sequenceNumber ?? record.messageId!;
const row = (sub: string) => dynamo.getItem(TABLE, { userId: sub });
const CHANGES = ['AdminUpdateUserAttributes', 'AdminDisableUser', 'AdminEnableUser', 'UpdateUserAttributes', 'VerifyUserAttribute'];

/** `count` users, each with a current state in Cognito and `perUser` events (duplicates included). */
function world(count: number, perUser: number) {
  const pool = new Map<string, State>();
  const events: BatchPayload[] = [];
  for (let index = 0; index < count; index += 1) {
    const sub = randomUUID();
    pool.set(sub, { email: `user${index}-final@example.com`, enabled: index % 3 !== 0, lastModified: `2026-05-01T10:${String(index).padStart(2, '0')}:59.500Z` });
    const distinct = Array.from({ length: perUser - 2 }, (_, n) =>
      buildCognitoApiCallEvent({ eventName: CHANGES[n % CHANGES.length]!, sub, userPoolId: POOL, eventTime: `2026-05-01T10:${String(index).padStart(2, '0')}:${String(n).padStart(2, '0')}Z` }),
    );
    // Two of them delivered twice, as at-least-once delivery does.
    events.push(...distinct, distinct[0]!, distinct.at(-1)!);
  }
  return { pool, events };
}

describe.each(Object.keys(deliveries) as (keyof typeof deliveries)[])('admin-change batches against dynalite: %s', (delivery) => {
  const deliver = deliveries[delivery];

  it('applies 500 shuffled records for 50 users with 50 Cognito reads and 50 writes, every row in its newest state', async () => {
    // Prepare: half the users already have a row, written from an older state
    const { pool, events } = world(50, 10);
    const subs = [...pool.keys()];
    for (const sub of subs.slice(0, 25)) {
      const stale = new Map([[sub, { email: 'old@example.com', enabled: true, lastModified: '2026-05-01T09:00:00.000Z' }]]);
      await createAdminChangeHandler({ table: { name: TABLE, client: dynamo.client }, userPoolId: POOL, cognitoClient: fakeCognito(stale).client, logger: recordingLogger() })(
        buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub, userPoolId: POOL }),
      );
    }
    const cognito = fakeCognito(pool);
    const ddb = countingDynamo();
    const { handler } = batchHandler(cognito.client, { client: ddb.client });
    const batch = deliver(shuffled(events, 18));

    // Act
    const result = await handler(batch);

    // Assess
    expect(batch.Records).toHaveLength(500);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(cognito.reads).toHaveLength(50);
    expect(new Set(cognito.reads)).toEqual(new Set(subs));
    expect(ddb.writes).toEqual(Array.from({ length: 50 }, () => 'UpdateItemCommand'));
    for (const [sub, state] of pool) {
      expect(await row(sub)).toMatchObject({
        userId: sub,
        email: state.email,
        enabled: state.enabled,
        cognitoVersion: expect.stringMatching(new RegExp(`^${state.lastModified.replace(/\./g, '\\.')}\\|`)),
      });
    }
  });

  it('reports only the throttled user’s records; their redelivery, and a replay of the rest, leave every row newest', async () => {
    // Prepare
    const { pool, events } = world(12, 5);
    const [throttledSub] = [...pool.keys()].slice(7);
    const cognito = fakeCognito(pool, new Set([throttledSub!]));
    const { handler, logger } = batchHandler(cognito.client);
    const batch = deliver(shuffled(events, 7));
    const throttledIds = batch.Records.filter((record) => JSON.stringify(record).includes(throttledSub!) || atob((record as { kinesis?: { data: string } }).kinesis?.data ?? '').includes(throttledSub!)).map(idOf);

    // Act
    const first = await handler(batch);
    const lowest = batch.Records.findIndex((record) => idOf(record) === first.batchItemFailures[0]?.itemIdentifier);
    // Lambda's retry: SQS redelivers the failed messages; Kinesis resumes at the lowest failed sequence number.
    const retry = delivery === 'kinesis' ? batch.Records.slice(lowest) : batch.Records.filter((record) => throttledIds.includes(idOf(record)));
    const afterFirst = await row(throttledSub!);
    const second = await batchHandler(fakeCognito(pool).client).handler({ Records: retry } as typeof batch);

    // Assess
    expect(throttledIds).toHaveLength(5);
    expect(first.batchItemFailures).toEqual(batch.Records.filter((record) => throttledIds.includes(idOf(record))).map((record) => ({ itemIdentifier: idOf(record) })));
    expect(afterFirst).toBeUndefined();
    expect(logger.records.find(({ record }) => record.outcome === 'failed')?.record).toMatchObject({
      sub: throttledSub,
      records: 5,
      error: { name: 'CognitoReadError', cause: 'TooManyRequestsException' },
    });
    expect(second).toEqual({ batchItemFailures: [] });
    for (const [sub, state] of pool) expect(await row(sub)).toMatchObject({ email: state.email, enabled: state.enabled });
  });

  it('skips poison records with a logged reason and no personal data, applying the rest', async () => {
    // Prepare
    const { pool, events } = world(3, 3);
    const cognito = fakeCognito(pool);
    const { handler, logger } = batchHandler(cognito.client);
    const s3Event = { ...buildCognitoApiCallEvent({ eventName: 'PutObject', userPoolId: POOL }), source: 'aws.s3' };
    const badTime = buildCognitoApiCallEvent({ eventName: 'AdminDisableUser', userPoolId: POOL, sub: [...pool.keys()][0]! });
    badTime.detail.eventTime = 'yesterday';
    badTime.time = 'yesterday';
    const poison: BatchPayload[] = [
      'victim@example.com is not JSON',
      '["victim@example.com"]',
      s3Event,
      buildCognitoApiCallEvent({ eventName: 'ChangePassword', userPoolId: POOL }),
      badTime,
    ];
    const batch = deliver([...poison.slice(0, 2), ...events, ...poison.slice(2)]);
    if (delivery === 'kinesis') (batch.Records[0] as { kinesis: { data: string } }).kinesis.data = 'victim@example.com!!';

    // Act
    const result = await handler(batch);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(cognito.reads).toHaveLength(3);
    for (const [sub, state] of pool) expect(await row(sub)).toMatchObject({ email: state.email });
    const skipped = logger.records.filter(({ record }) => record.reason !== undefined).map(({ level, record }) => [level, record.reason, record.problem, record.record]);
    const ids = batch.Records.map(idOf);
    expect(skipped).toEqual([
      ['warn', 'malformed-record', delivery === 'kinesis' ? 'kinesis.data is not base64' : 'body is not JSON', ids[0]],
      ['warn', 'malformed-record', delivery === 'kinesis' ? 'kinesis.data is not a JSON object' : 'body is not a JSON object', ids[1]],
      ['info', 'not-user-pool-call', undefined, ids[11]],
      ['info', 'unknown-call', undefined, ids[12]],
      ['warn', 'invalid-event', 'detail.eventTime', ids[13]],
    ]);
    expect(logger.text()).not.toContain('victim@example.com');
    expect(logger.text()).not.toMatch(/final@example\.com/);
  });

  it('lets a deletion among a user’s records win: no read, the row closed, the other users read once', async () => {
    // Prepare
    const { pool, events } = world(2, 4);
    const [gone, kept] = [...pool.keys()];
    const deletion = buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: gone!, userPoolId: POOL, eventTime: '2026-05-01T11:00:00Z' });
    const cognito = fakeCognito(pool);
    const { handler } = batchHandler(cognito.client, { onDelete: 'delete' });

    // Act
    const result = await handler(deliver(shuffled([...events, deletion, deletion], 3)));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(cognito.reads).toEqual([kept]);
    expect(await row(gone!)).toEqual({ userId: gone, deletedAt: '2026-05-01T11:00:00.000Z', updatedAt: expect.any(String) });
    expect(await row(kept!)).toMatchObject({ email: pool.get(kept!)!.email });
  });

  it('never replaces a row holding fresher state, and never writes a deleted user’s row again', async () => {
    // Prepare: one row written from a read later than the batch's (a lagging replica answers it), one deleted
    const { pool, events } = world(2, 3);
    const [fresh, deleted] = [...pool.keys()];
    const newer = new Map([[fresh!, { email: 'newest@example.com', enabled: true, lastModified: '2026-06-01T00:00:00.000Z' }]]);
    const single = (cognito: CognitoIdentityProviderClient) =>
      createAdminChangeHandler({ table: { name: TABLE, client: dynamo.client }, userPoolId: POOL, cognitoClient: cognito, logger: recordingLogger() });
    await single(fakeCognito(newer).client)(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: fresh!, userPoolId: POOL }));
    await single(fakeCognito(pool).client)(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: deleted!, userPoolId: POOL }));
    const deletedRow = await row(deleted!);
    const { handler, logger } = batchHandler(fakeCognito(pool).client);

    // Act
    const result = await handler(deliver(events));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await row(fresh!)).toMatchObject({ email: 'newest@example.com' });
    expect(await row(deleted!)).toEqual(deletedRow);
    expect(logger.records.filter(({ record }) => record.outcome === 'stale').map(({ record }) => record.sub).sort()).toEqual([fresh, deleted].sort());
  });
});
