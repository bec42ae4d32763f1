import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { backoffDefaults, type BackoffOptions, pause, withBackoff } from '../backoff.js';
import { TABLE_NAME } from '../constants.js';
import { ConfigurationError, ErasureError, errorName } from '../errors.js';
import { definedOnly } from '../options.js';
import { defaultDynamoDBClientConfig } from '../store/table.js';
import type { Profile } from '../types.js';
import type { UserDeletedContext } from './once.js';

/**
 * A DynamoDB table holding items keyed by the user's `sub`, to erase with
 * {@link eraseFromTables}.
 *
 * @example
 * ```ts
 * { table: 'sessions', partitionKey: 'userId' }                    // the sub is the whole key: one DeleteItem
 * { table: 'orders', partitionKey: 'userId', sortKey: 'orderId' }  // every item under the sub: Query, then BatchWriteItem
 * { table: 'comments', partitionKey: 'commentId', index: { name: 'byAuthor', partitionKey: 'authorId' } }
 * ```
 */
export interface EraseTable {
  /** The table's name or ARN. */
  readonly table: string;
  /** The table's partition key: it holds the `sub`, unless `index` is given. */
  readonly partitionKey: string;
  /** The table's sort key, when it has one. @default none: the `sub` is the whole key (with no `index`) */
  readonly sortKey?: string;
  /**
   * A global secondary index whose partition key holds the `sub`, for a table keyed by
   * something else. Its items are found by a Query on the index (eventually consistent: an
   * item written a moment before may be missed) and deleted by the table's own key.
   * @default none
   */
  readonly index?: { readonly name: string; readonly partitionKey: string };
}

/** Options of {@link eraseFromTables}. */
export type EraseFromTablesOptions = { backoff?: BackoffOptions } & (
  | {
      /** A client of yours; the library never changes its configuration. */
      client: DynamoDBClient;
      clientConfig?: never;
    }
  | {
      client?: never;
      /**
       * Config for the client the library builds on first use.
       * @default request timeouts of a few seconds, 3 attempts
       */
      clientConfig?: DynamoDBClientConfig;
    }
);

/** How many items `eraseFromTables` deleted, by table (a whole-key table: 0 or 1). */
export type ErasedItems = Record<string, number>;

const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]{3,255}$/;
/** The most deletes one BatchWriteItem takes. */
const BATCH_WRITE_LIMIT = 25;

function checkName(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 255) throw new ConfigurationError(option, 'must be a non-empty attribute name');
  return value;
}

function checkTables(tables: unknown): EraseTable[] {
  if (!Array.isArray(tables) || tables.length === 0) {
    throw new ConfigurationError('tables', 'must be a non-empty array of { table, partitionKey, sortKey?, index? }');
  }
  return tables.map((entry: unknown, at): EraseTable => {
    const option = `tables[${at}]`;
    if (typeof entry !== 'object' || entry === null) throw new ConfigurationError(option, 'must be an object { table, partitionKey, sortKey?, index? }');
    const { table, partitionKey, sortKey, index } = entry as Record<string, unknown>;
    if (typeof table !== 'string' || !(TABLE_NAME.test(table) || TABLE_ARN.test(table))) {
      throw new ConfigurationError(`${option}.table`, 'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -) or a table ARN');
    }
    const checked: EraseTable = { table, partitionKey: checkName(partitionKey, `${option}.partitionKey`) };
    if (sortKey !== undefined) Object.assign(checked, { sortKey: checkName(sortKey, `${option}.sortKey`) });
    if (index !== undefined) {
      if (typeof index !== 'object' || index === null) throw new ConfigurationError(`${option}.index`, 'must be an object { name, partitionKey }');
      const { name, partitionKey: indexKey } = index as Record<string, unknown>;
      Object.assign(checked, { index: { name: checkName(name, `${option}.index.name`), partitionKey: checkName(indexKey, `${option}.index.partitionKey`) } });
    }
    return checked;
  });
}

/**
 * An `onUserDeleted` for the most common erasure: the deleted user's items in other DynamoDB
 * tables, found by their `sub`. A table keyed by the `sub` alone loses one item with
 * `DeleteItem`; any other is read with `Query` (only the key attributes, consistent on the
 * table itself, by pages) and its items deleted with `BatchWriteItem`, unprocessed items and
 * throttling retried with backoff. Nothing else is read or written, and only the `sub` is
 * used, so it works on a tombstone too. Tables are erased one after another; a failure
 * rejects with `ErasureError` naming the table and the step, and the whole erasure runs again
 * later (it is idempotent). Permissions: `dynamodb:Query` and `dynamodb:BatchWriteItem` on
 * each table (and `Query` on its index), or `dynamodb:DeleteItem` for a whole-key table.
 *
 * @example
 * ```ts
 * export const handler = createAdminChangeHandler({
 *   table: 'profiles',
 *   userPoolId: process.env.USER_POOL_ID!,
 *   onUserDeleted: eraseFromTables([{ table: 'orders', partitionKey: 'userId', sortKey: 'orderId' }]),
 * });
 * ```
 */
export function eraseFromTables(
  tables: readonly EraseTable[],
  options: EraseFromTablesOptions = {},
): (row: Profile, context: UserDeletedContext) => Promise<ErasedItems> {
  const checked = checkTables(tables);
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'must be an object { client?, clientConfig?, backoff? }');
  if (options.client !== undefined && options.clientConfig !== undefined) {
    throw new ConfigurationError('client', 'give either client or clientConfig, not both');
  }
  if (options.client !== undefined && typeof (options.client as { send?: unknown }).send !== 'function') {
    throw new ConfigurationError('client', 'must be a DynamoDBClient');
  }
  const backoff = { ...backoffDefaults, ...definedOnly(options.backoff ?? {}) };
  if (!Number.isInteger(backoff.attempts) || backoff.attempts < 1 || !(backoff.baseMs >= 0) || !(backoff.maxMs >= backoff.baseMs)) {
    throw new ConfigurationError('backoff', 'needs attempts >= 1 and 0 <= baseMs <= maxMs');
  }
  let client = options.client;
  const dynamodb = () => (client ??= new DynamoDBClient({ ...defaultDynamoDBClientConfig, ...options.clientConfig }));

  return async function eraseUserItems(_row, { sub, signal }) {
    const erased: ErasedItems = {};
    for (const table of checked) erased[table.table] = await eraseFrom(table, sub, signal);
    return erased;
  };

  async function eraseFrom(table: EraseTable, sub: string, signal: AbortSignal): Promise<number> {
    /** One call, throttling retried, any failure an ErasureError naming the table and step. */
    const call = async <T>(operation: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> => {
      try {
        return await withBackoff(send, backoff, signal);
      } catch (error) {
        throw new ErasureError(sub, `${operation} on table "${table.table}" failed: ${errorName(error)}`, { cause: error });
      }
    };
    if (table.sortKey === undefined && table.index === undefined) {
      const command = new DeleteItemCommand({ TableName: table.table, Key: { [table.partitionKey]: { S: sub } }, ReturnValues: 'ALL_OLD' });
      const output = await call('DeleteItem', (abortSignal) => dynamodb().send(command, { abortSignal }));
      return output.Attributes === undefined ? 0 : 1;
    }
    /** Deletes up to 25 items, asking again for those DynamoDB leaves unprocessed. */
    const deleteBatch = async (keys: Record<string, AttributeValue>[]) => {
      let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 1; requests.length > 0; attempt += 1) {
        if (attempt > backoff.attempts) {
          throw new ErasureError(sub, `BatchWriteItem on table "${table.table}" left ${requests.length} deletes unprocessed after ${backoff.attempts} tries`);
        }
        if (attempt > 1) await pause(attempt - 1, backoff, signal);
        const command = new BatchWriteItemCommand({ RequestItems: { [table.table]: requests } });
        const output = await call('BatchWriteItem', (abortSignal) => dynamodb().send(command, { abortSignal }));
        requests = (output.UnprocessedItems?.[table.table] ?? []).flatMap((request) => (request.DeleteRequest?.Key ? [{ DeleteRequest: { Key: request.DeleteRequest.Key } }] : []));
      }
    };
    const keyNames = table.sortKey === undefined ? [table.partitionKey] : [table.partitionKey, table.sortKey];
    let deleted = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const command = new QueryCommand({
        TableName: table.table,
        ...(table.index && { IndexName: table.index.name }),
        KeyConditionExpression: '#sub = :sub',
        ProjectionExpression: keyNames.map((_, at) => `#k${at}`).join(', '),
        ExpressionAttributeNames: { '#sub': table.index?.partitionKey ?? table.partitionKey, ...Object.fromEntries(keyNames.map((name, at) => [`#k${at}`, name])) },
        ExpressionAttributeValues: { ':sub': { S: sub } },
        // A global secondary index is only ever eventually consistent.
        ...(table.index === undefined && { ConsistentRead: true }),
        ...(startKey && { ExclusiveStartKey: startKey }),
      });
      const page = await call('Query', (abortSignal) => dynamodb().send(command, { abortSignal }));
      const keys = (page.Items ?? []).map((item) => Object.fromEntries(keyNames.map((name) => [name, item[name]!])));
      for (let from = 0; from < keys.length; from += BATCH_WRITE_LIMIT) {
        await deleteBatch(keys.slice(from, from + BATCH_WRITE_LIMIT));
      }
      deleted += keys.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return deleted;
  }
}
