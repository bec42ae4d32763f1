import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, PutItemCommand, type BatchWriteItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseFromTables, ErasureReason, isErasureError, type UserDeletedContext } from '../../src/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';

/*
 * The erasure helper against real dynalite tables of three shapes: keyed by the sub alone,
 * by the sub and a sort key, and by something else with an index on the sub. What is left in
 * each table afterwards is read back in full.
 */
let dynamo: TestDynamo;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

const context = (sub: string): UserDeletedContext => ({ sub, userPoolId: 'us-east-1_Pool', reason: ErasureReason.UserDeleted, deletedAt: undefined, signal: new AbortController().signal });

async function createTable(shape: 'whole-key' | 'sorted' | 'indexed'): Promise<string> {
  const name = `${shape}-${++tables}`;
  const attribute = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
  if (shape === 'whole-key') await dynamo.createTable(name, 'userId');
  if (shape === 'sorted') {
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [attribute('userId'), attribute('orderId')],
        KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }, { AttributeName: 'orderId', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  if (shape === 'indexed') {
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [attribute('commentId'), attribute('authorId')],
        KeySchema: [{ AttributeName: 'commentId', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: 'byAuthor', KeySchema: [{ AttributeName: 'authorId', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  return name;
}

/** A client to dynalite that counts its calls by command. */
function countingClient() {
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const calls: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => (args) => {
      const command = String(context.commandName);
      calls[command] = (calls[command] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client, calls };
}

const put = (table: string, item: Record<string, unknown>) => dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall(item) }));

describe('eraseFromTables', () => {
  it("erases exactly the sub's items in each table, and nothing else", async () => {
    // Prepare: the leaving user's items, another user's, in three shapes; 70 orders of ~20 KB
    // so that the Query pages (1 MB) and the deletes come in several BatchWriteItems
    const [leaving, staying] = [randomUUID(), randomUUID()];
    const [sessions, orders, comments] = [await createTable('whole-key'), await createTable('sorted'), await createTable('indexed')];
    const padding = 'x'.repeat(20_000);
    await put(sessions, { userId: leaving, token: 'a' });
    await put(sessions, { userId: staying, token: 'b' });
    for (let index = 0; index < 70; index += 1) await put(orders, { userId: leaving, orderId: `o-${index}`, padding });
    await put(orders, { userId: staying, orderId: 'o-1' });
    for (let index = 0; index < 30; index += 1) await put(comments, { commentId: `c-${index}`, authorId: index < 27 ? leaving : staying, text: 'hi' });
    const counting = countingClient();
    const erase = eraseFromTables(
      [
        { table: sessions, partitionKey: 'userId' },
        { table: orders, partitionKey: 'userId', sortKey: 'orderId' },
        { table: comments, partitionKey: 'commentId', index: { name: 'byAuthor', partitionKey: 'authorId' } },
      ],
      { client: counting.client },
    );

    // Act
    const erased = await erase({}, context(leaving));
    const calls = { ...counting.calls };
    const again = await erase({}, context(leaving));

    // Assess
    expect(erased).toEqual({ [sessions]: 1, [orders]: 70, [comments]: 27 });
    // One DeleteItem; orders in two Query pages (1 MB each) and four batches, comments in one and two
    expect(calls).toEqual({ DeleteItemCommand: 1, QueryCommand: 3, BatchWriteItemCommand: 6 });
    expect(again).toEqual({ [sessions]: 0, [orders]: 0, [comments]: 0 });
    expect(await dynamo.scan(sessions)).toEqual([{ userId: staying, token: 'b' }]);
    expect(await dynamo.scan(orders)).toEqual([{ userId: staying, orderId: 'o-1' }]);
    expect((await dynamo.scan(comments)).map((item) => item.commentId).sort()).toEqual(['c-27', 'c-28', 'c-29']);
  });

  it('asks again for the deletes DynamoDB leaves unprocessed', async () => {
    // Prepare: a client whose first BatchWriteItem passes on only half its deletes, as
    // DynamoDB may under load, and returns the rest as unprocessed
    const sub = randomUUID();
    const orders = await createTable('sorted');
    for (let index = 0; index < 10; index += 1) await put(orders, { userId: sub, orderId: `o-${index}` });
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const batches: number[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        const input = args.input as BatchWriteItemCommand['input'];
        const requests = input.RequestItems![orders]!;
        batches.push(requests.length);
        if (batches.length > 1) return next(args);
        const half = Math.ceil(requests.length / 2);
        const result = await next({ ...args, input: { ...input, RequestItems: { [orders]: requests.slice(0, half) } } });
        (result.output as BatchWriteItemCommandOutput).UnprocessedItems = { [orders]: requests.slice(half) };
        return result;
      },
      { step: 'initialize', name: 'partialBatches' },
    );
    const erase = eraseFromTables([{ table: orders, partitionKey: 'userId', sortKey: 'orderId' }], { client, backoff: { baseMs: 1, maxMs: 2 } });

    const erased = await erase({}, context(sub));

    expect(batches).toEqual([10, 5]);
    expect(erased).toEqual({ [orders]: 10 });
    expect(await dynamo.scan(orders)).toEqual([]);
  });

  it('rejects with an ErasureError naming the table and the step, not the user', async () => {
    const sub = randomUUID();
    const erase = eraseFromTables([{ table: 'no-such-table', partitionKey: 'userId', sortKey: 'orderId' }], { client: dynamo.client });

    const error = await erase({ email: 'ada@example.com' }, context(sub)).catch((thrown: unknown) => thrown);

    expect(isErasureError(error)).toBe(true);
    expect(error).toMatchObject({ sub, message: `Erasure of user ${sub} Query on table "no-such-table" failed: ResourceNotFoundException` });
  });

  it.each([
    [[], 'tables'],
    [[{ table: 'x', partitionKey: 'userId' }], 'tables[0].table'],
    [[{ table: 'orders' }], 'tables[0].partitionKey'],
    [[{ table: 'orders', partitionKey: 'userId', sortKey: '' }], 'tables[0].sortKey'],
    [[{ table: 'orders', partitionKey: 'orderId', index: { name: 'byUser' } }], 'tables[0].index.partitionKey'],
  ])('refuses %j, naming %s', (tables, option) => {
    expect(() => eraseFromTables(tables as never)).toThrow(expect.objectContaining({ name: 'ConfigurationError', option }));
  });

  it('refuses a client and a client config together', () => {
    expect(() => eraseFromTables([{ table: 'orders', partitionKey: 'userId' }], { client: dynamo.client, clientConfig: {} } as never)).toThrow(
      expect.objectContaining({ option: 'client' }),
    );
  });
});
