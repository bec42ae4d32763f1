// Cognito reads per admin-change events: the EventBridge handler (one event per invocation,
// one ListUsers each) against the batch handler fed the same events as Kinesis batches from
// one shard. A count, not a time: Cognito is a fake behind the SDK client's middleware that
// answers ListUsers at once and counts; the writes go to the bench's dynalite, and both
// tables must end with every user's current state.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';

const POOL = 'us-east-1_BenchAdmin1';
const CHANGES = ['AdminUpdateUserAttributes', 'AdminDisableUser', 'AdminEnableUser', 'UpdateUserAttributes', 'VerifyUserAttribute'];
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/** A Cognito client whose ListUsers is answered from `states` without leaving the process. */
function fakeCognito(states) {
  const client = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials });
  const counts = { reads: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'ListUsersCommand') return next(args);
      counts.reads += 1;
      const sub = /^sub = "(.+)"$/.exec(args.input.Filter ?? '')?.[1];
      const state = states.get(sub);
      const Users = state
        ? [{ Username: sub, Enabled: true, UserStatus: 'CONFIRMED', UserLastModifiedDate: state.lastModified, Attributes: [{ Name: 'sub', Value: sub }, { Name: 'email', Value: state.email }] }]
        : [];
      return { output: { Users, $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'fakeListUsers' },
  );
  return { client, counts };
}

/** A seeded shuffle: every run measures the same order. */
function shuffle(items, seed) {
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other], items[index]];
  }
  return items;
}

async function rowsOf(dynamodb, table) {
  const items = [];
  let ExclusiveStartKey;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * Reads for `events` admin-change events over `users` users, in two orders: random (as
 * CloudTrail delivers a bulk edit) and per user (a script that finishes one user before the
 * next). Returns the counts and any row that did not end in the user's current state.
 */
export async function measureAdminChangeReads({ packageUrl, testingUrl, dynamo, users = 100, events = 1000, batchSize = 100 }) {
  const { createAdminChangeHandler, createAdminChangeBatchHandler } = await import(packageUrl);
  const { buildCognitoApiCallEvent, buildKinesisStreamEvent } = await import(testingUrl);
  if (typeof createAdminChangeBatchHandler !== 'function') return undefined;
  const dynamodb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  const logger = { info() {}, warn() {}, error() {} };
  const states = new Map();
  const perUser = [];
  for (let index = 0; index < users; index += 1) {
    const sub = randomUUID();
    states.set(sub, { email: `bench-${index}@example.com`, lastModified: new Date(Date.UTC(2026, 4, 1, 10, 0, index)) });
    for (let change = 0; change < events / users; change += 1) {
      perUser.push(buildCognitoApiCallEvent({ eventName: CHANGES[change % CHANGES.length], sub, userPoolId: POOL }));
    }
  }
  const orders = { random: shuffle([...perUser], 1000), perUser };
  const problems = [];
  const result = {};
  try {
    for (const [order, stream] of Object.entries(orders)) {
      const oneByOne = fakeCognito(states);
      const batched = fakeCognito(states);
      const tables = { oneByOne: `bench-admin-one-${order}`, batched: `bench-admin-batch-${order}` };
      await Promise.all(Object.values(tables).map((name) => dynamo.createTable(name)));
      const handler = createAdminChangeHandler({ table: { name: tables.oneByOne, client: dynamodb }, userPoolId: POOL, cognitoClient: oneByOne.client, logger });
      const batchHandler = createAdminChangeBatchHandler({ table: { name: tables.batched, client: dynamodb }, userPoolId: POOL, cognitoClient: batched.client, logger, listUsersPerSecond: Infinity });
      for (const event of stream) await handler(event);
      for (let start = 0; start < stream.length; start += batchSize) {
        const { batchItemFailures } = await batchHandler(buildKinesisStreamEvent({ events: stream.slice(start, start + batchSize) }));
        if (batchItemFailures.length > 0) problems.push(`${order}: ${batchItemFailures.length} records failed`);
      }
      for (const [name, table] of Object.entries(tables)) {
        const rows = await rowsOf(dynamodb, table);
        const wrong = rows.filter((row) => row.email !== states.get(row.userId)?.email).length;
        if (rows.length !== users || wrong > 0) problems.push(`${order}, ${name}: ${rows.length} rows, ${wrong} not current`);
      }
      result[order] = { oneByOne: oneByOne.counts.reads, batched: batched.counts.reads };
    }
  } finally {
    dynamodb.destroy();
  }
  return { users, events, batchSize, ...result, problems };
}
