import { AdminCreateUserCommand, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { median } from './stats.mjs';

async function createUsers(stack, count) {
  const pending = Array.from({ length: count }, (_, index) => index);
  const worker = async () => {
    for (let index = pending.shift(); index !== undefined; index = pending.shift()) {
      await stack.clients.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: stack.userPoolId,
          Username: `bench-${index}@example.com`,
          MessageAction: 'SUPPRESS',
          TemporaryPassword: 'Bench-Passw0rd!',
          UserAttributes: [
            { Name: 'email', Value: `bench-${index}@example.com` },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: `Bench User ${index}` },
          ],
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function freshTable(dynamodb, partitionKey, name) {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 }, { TableName: name });
}

/** The seed-000 backfill: page through ListUsers, one PutItem per user, one at a time. */
async function naiveLoop(stack, dynamodb, table) {
  let written = 0;
  let token;
  do {
    const page = await stack.clients.cognito.send(
      new ListUsersCommand({ UserPoolId: stack.userPoolId, Limit: 60, ...(token && { PaginationToken: token }) }),
    );
    for (const user of page.Users ?? []) {
      const attributes = Object.fromEntries((user.Attributes ?? []).map(({ Name, Value }) => [Name, Value]));
      await dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: marshall({ [stack.partitionKey]: attributes.sub, email: attributes.email, name: attributes.name, createdAt: new Date().toISOString() }, { removeUndefinedValues: true }),
        }),
      );
      written += 1;
    }
    token = page.PaginationToken || undefined;
  } while (token);
  return written;
}

/**
 * Users per second of `reconcile` against the naive loop, the two alternating: first a
 * backfill of a fresh table (both must write every user), then a periodic run over that
 * table, now in step (the naive loop writes every user again; reconcile reads them a page at
 * a time). Users come from the local stack's Cognito; the tables live in each of `targets`,
 * dynalites of their own processes (so that, as with DynamoDB, the server's work does not
 * share the client's event loop), one answering at once and one after a round trip's
 * latency. Returns undefined when the built package has no `reconcile`.
 */
export async function measureReconcile({ packageUrl, localUrl, targets, users, runs }) {
  const { reconcile } = await import(packageUrl);
  if (typeof reconcile !== 'function') return undefined;
  const { startLocalStack } = await import(localUrl);
  const stack = await startLocalStack({ tableName: 'bench-reconcile-setup' });
  const clients = [];
  try {
    await createUsers(stack, users);
    const results = {};
    for (const [target, dynamo] of Object.entries(targets)) {
      const dynamodb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
      clients.push(dynamodb);
      results[target] = await compare({ reconcile, stack, dynamodb, users, runs });
    }
    return { users, runs, ...results };
  } finally {
    clients.forEach((client) => client.destroy());
    await stack.stop();
  }
}

async function compare({ reconcile, stack, dynamodb, users, runs }) {
  const rates = { backfill: { reconcile: [], naive: [] }, periodic: { reconcile: [], naive: [] } };
  const problems = [];
  const runReconcile = async (table, expect) => {
    const report = await reconcile({
      userPoolId: stack.userPoolId,
      table: { name: table, partitionKey: stack.partitionKey, client: dynamodb },
      cognitoClient: stack.clients.cognito,
      // The local stack has no ListUsers quota and the naive loop keeps none: the rate
      // limit is measured apart, against a throttling Cognito (ceiling.mjs).
      listUsersPerSecond: Infinity,
    });
    if (report[expect] !== users || report.errors !== 0) problems.push(`reconcile: ${report[expect]} of ${users} ${expect}, ${report.errors} errors`);
  };
  const runNaive = async (table) => {
    const written = await naiveLoop(stack, dynamodb, table);
    if (written !== users) problems.push(`naive loop wrote ${written} of ${users}`);
  };
  for (let run = 0; run < runs; run += 1) {
    const order = run % 2 === 0 ? ['naive', 'reconcile'] : ['reconcile', 'naive'];
    for (const phase of ['backfill', 'periodic']) {
      for (const name of order) {
        const table = `bench-${name}-${run}`;
        if (phase === 'backfill') await freshTable(dynamodb, stack.partitionKey, table);
        const startedAt = performance.now();
        if (name === 'naive') await runNaive(table);
        else await runReconcile(table, phase === 'backfill' ? 'created' : 'unchanged');
        rates[phase][name].push(users / ((performance.now() - startedAt) / 1000));
      }
    }
  }
  const medians = (phase) => ({ reconcile: median(rates[phase].reconcile), naive: median(rates[phase].naive) });
  return { backfill: medians('backfill'), periodic: medians('periodic'), problems };
}
