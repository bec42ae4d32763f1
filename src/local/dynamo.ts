import type { Server } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { defaultFunctionOf, importPeer } from './peers.js';
import type { Sdk } from './sdk.js';
import { closeServer, endpointOf, listen } from './servers.js';

/** The options of `dynalite` used here (the package ships no types). */
interface DynaliteOptions {
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}

/** A running DynamoDB-compatible server. @internal */
export interface LocalDynamo {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts `dynalite`, in memory, on a free loopback port. @internal */
export async function startDynamo(): Promise<LocalDynamo> {
  const dynalite = defaultFunctionOf<(options: DynaliteOptions) => Server>(await importPeer('dynalite', 'dynalite'), 'dynalite');
  // dynalite keeps a new table CREATING for 500 ms by default; with no delay, tests can use
  // a table as soon as CreateTable answers (DynamoDB itself takes seconds).
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await listen(server, 'DynamoDB');
  return { endpoint: endpointOf(server, 'DynamoDB'), close: () => closeServer(server) };
}

/** Creates the on-demand profile table with a string partition key, and waits until it is ACTIVE. @internal */
export async function createProfileTable(
  sdk: Sdk,
  client: DynamoDBClient,
  tableName: string,
  partitionKey: string,
): Promise<void> {
  await client.send(
    new sdk.dynamodb.CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // dynalite answers CreateTable before a timer marks the table ACTIVE, even with no delay:
  // a write sent at once can meet ResourceNotFoundException. Wait as a user would on AWS.
  await sdk.dynamodb.waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.005, maxDelay: 0.05 }, { TableName: tableName });
}
