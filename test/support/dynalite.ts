import { CreateTableCommand, DynamoDBClient, GetItemCommand, ScanCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { unmarshall, marshall } from '@aws-sdk/util-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface TestDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** Creates an on-demand table and resolves once it is ACTIVE (see {@link createActiveTable}). */
  createTable(name: string, partitionKey?: string): Promise<void>;
  getItem(table: string, key: Record<string, string>): Promise<Record<string, unknown> | undefined>;
  scan(table: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/** Starts a real dynalite server on a free loopback port. */
export async function startDynalite(): Promise<TestDynamo> {
  const { default: dynalite } = (await import('dynalite')) as unknown as {
    default: (options: Record<string, number>) => Server;
  };
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 },
  });
  return {
    endpoint,
    client,
    createTable: (name, partitionKey) => createActiveTable(client, name, partitionKey),
    async getItem(table, key) {
      const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: marshall(key), ConsistentRead: true }));
      return Item ? unmarshall(Item) : undefined;
    },
    async scan(table) {
      const { Items = [] } = await client.send(new ScanCommand({ TableName: table }));
      return Items.map((item) => unmarshall(item));
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Creates an on-demand table with a string partition key and resolves once it is ACTIVE.
 *
 * CreateTable answers while the table is still CREATING, in DynamoDB and in dynalite alike:
 * dynalite, even with `createTableMs: 0`, marks it ACTIVE only when a timer has run after the
 * answer was sent, and until then answers ResourceNotFoundException to every item request.
 * A test that writes as soon as CreateTable returned raced that timer, and lost whenever its
 * round trip beat it (about 1 in 5 tries on Node 24, 1 in 20 on Node 20), so wait for ACTIVE
 * as DynamoDB's own waiter does.
 */
export async function createActiveTable(client: DynamoDBClient, name: string, partitionKey = 'userId'): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // Seconds, as the waiter counts: poll every few milliseconds, not DynamoDB's 20 s.
  await waitUntilTableExists({ client, minDelay: 0.005, maxDelay: 0.05, maxWaitTime: 10 }, { TableName: name });
}
