// Reconcile at Cognito's rate ceiling: a fake Cognito on 127.0.0.1 that answers ListUsers in
// a fixed latency and throttles past 30 requests a second (as the real quota does), and an
// in-memory DynamoDB behind the client's request handler, so that neither emulator's speed
// hides the run's own pace. Only what reconcile calls is served.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';

const QUOTA = 30;

/** A ListUsers server honouring `Filter` (`sub ^= "x"`, `sub = "x"`), `Limit` and tokens. */
async function startFakeCognito({ users, latencyMs }) {
  const sorted = users.map((sub) => ({ sub })).sort((a, b) => a.sub.localeCompare(b.sub));
  const startedAt = [];
  const counts = { calls: 0, throttled: 0 };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const now = Date.now();
      while (startedAt.length > 0 && startedAt[0] <= now - 1000) startedAt.shift();
      counts.calls += 1;
      const reply = (status, payload) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      if (startedAt.length >= QUOTA) {
        counts.throttled += 1;
        reply(400, { __type: 'TooManyRequestsException', message: 'Rate exceeded' });
        return;
      }
      startedAt.push(now);
      const input = JSON.parse(body);
      const exact = /^sub = "(.+)"$/.exec(input.Filter ?? '')?.[1];
      const prefix = /^sub \^= "(.*)"$/.exec(input.Filter ?? '')?.[1] ?? '';
      const matching = exact !== undefined ? sorted.filter((user) => user.sub === exact) : sorted.filter((user) => user.sub.startsWith(prefix));
      const offset = input.PaginationToken ? Number(input.PaginationToken.split(':')[1]) : 0;
      const limit = Math.min(input.Limit ?? 60, 60);
      const page = matching.slice(offset, offset + limit).map((user) => ({
        Username: user.sub,
        UserStatus: 'CONFIRMED',
        Enabled: true,
        UserCreateDate: 1767225600,
        Attributes: [{ Name: 'sub', Value: user.sub }, { Name: 'email', Value: `${user.sub}@example.com` }],
      }));
      const next = offset + limit < matching.length ? `${prefix}:${offset + limit}` : undefined;
      setTimeout(() => reply(200, { Users: page, ...(next && { PaginationToken: next }) }), latencyMs);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, counts, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/** A DynamoDB that answers at once from memory: BatchGetItem, conditional PutItem, Scan (parallel, key-filtered). */
function memoryDynamo(partitionKey) {
  const items = new Map();
  const respond = (payload, status = 200) => ({
    response: {
      statusCode: status,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: Readable.from([Buffer.from(JSON.stringify(payload))]),
    },
  });
  const handler = {
    async handle(request) {
      const operation = request.headers['x-amz-target'].split('.')[1];
      // Decoded as bytes: the SDK's body is a Uint8Array that warns when read as a string.
      const input = JSON.parse(typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body));
      if (operation === 'BatchGetItem') {
        const [table, { Keys }] = Object.entries(input.RequestItems)[0];
        return respond({ Responses: { [table]: Keys.map((key) => items.get(key[partitionKey].S)).filter(Boolean) } });
      }
      if (operation === 'PutItem') {
        const key = input.Item[partitionKey].S;
        if (input.ConditionExpression && items.has(key)) return respond({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' }, 400);
        items.set(key, input.Item);
        return respond({});
      }
      if (operation === 'Scan') {
        // As DynamoDB: a parallel scan's segment holds its share of the rows, and the key
        // filter (the orphan check's slice) keeps the keys in range.
        const { Segment = 0, TotalSegments = 1, ExpressionAttributeValues: range } = input;
        const inRange = (key) => range === undefined || (key >= range[':from'].S && key < range[':to'].S);
        const rows = [...items.values()].filter((item, index) => index % TotalSegments === Segment && inRange(item[partitionKey].S));
        return respond({ Items: rows.map((item) => ({ [partitionKey]: item[partitionKey] })) });
      }
      return respond({ __type: 'com.amazon.coral.validate#ValidationException', message: `${operation} is not served` }, 400);
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { items, client: new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, requestHandler: handler }) };
}

/**
 * Users per second of a periodic run (every row in step) at the default rate, partitioned
 * and as one stream, against a Cognito that answers in `latencyMs` and throttles past 30
 * requests a second; each after a backfill that fills the table.
 */
export async function measureCeiling({ packageUrl, users, latencyMs }) {
  const { reconcile } = await import(packageUrl);
  const subs = Array.from({ length: users }, () => randomUUID());
  const results = {};
  for (const partitionBySub of [true, false]) {
    const cognito = await startFakeCognito({ users: partitionBySub ? subs : subs.slice(0, Math.ceil(users / 5)), latencyMs });
    const dynamo = memoryDynamo('userId');
    const cognitoClient = new CognitoIdentityProviderClient({
      region: 'eu-west-1',
      endpoint: cognito.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const options = { userPoolId: 'eu-west-1_Bench', table: { name: 'ceiling', client: dynamo.client }, cognitoClient, partitionBySub, orphans: 'report' };
    try {
      const backfill = await reconcile(options);
      const throttledBefore = cognito.counts.throttled;
      const startedAt = performance.now();
      const report = await reconcile(options);
      const seconds = (performance.now() - startedAt) / 1000;
      results[partitionBySub ? 'partitioned' : 'oneStream'] = {
        users: report.scanned,
        usersPerSecond: report.scanned / seconds,
        throttled: cognito.counts.throttled - throttledBefore,
        problems: [
          ...(backfill.created === report.scanned ? [] : [`backfill created ${backfill.created} of ${report.scanned}`]),
          ...(report.unchanged === report.scanned && report.errors === 0 ? [] : [`periodic run: ${report.unchanged} unchanged, ${report.errors} errors`]),
        ],
      };
    } finally {
      cognitoClient.destroy();
      await cognito.stop();
    }
  }
  return results;
}
