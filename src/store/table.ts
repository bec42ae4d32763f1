import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { LIBRARY_FIELDS, TABLE_NAME } from '../constants.js';
import { ConfigurationError } from '../errors.js';

export interface TableFields {
  /** The table's name or ARN. */
  name: string;
  /**
   * Name of the string partition key attribute, which holds the user's `sub`.
   * @default 'userId'
   */
  partitionKey?: string;
}

/**
 * The profile table. A name, or an object with the key name and either a client of yours
 * or the config for the one the library builds (not both).
 *
 * @example
 * ```ts
 * table: process.env.DDB_TABLE!
 * table: { name: 'members', partitionKey: 'id', client: new DynamoDBClient({}) }
 * ```
 */
export type TableOption =
  | string
  | (TableFields & {
      /** A client of yours; the library never changes its configuration. */
      client: DynamoDBClient;
      clientConfig?: never;
    })
  | (TableFields & {
      client?: never;
      /**
       * Config for the client the library builds (region, endpoint, credentials).
       * @default request timeouts that fit the handler's deadline, 3 attempts
       */
      clientConfig?: DynamoDBClientConfig;
    });

/** @internal */
export interface ResolvedTable {
  readonly name: string;
  readonly partitionKey: string;
  /** The client, built on first use when the user did not pass one. */
  client(): DynamoDBClient;
  /**
   * Whether every request of the client ends on its own: true for the client the library
   * builds with its own request handler (request timeouts that throw). The triggers then
   * send without an abort signal and only race the deadline; a client of yours, or one
   * with your request handler, gets the deadline's signal on every call.
   */
  readonly boundedRequests: boolean;
}

const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]{3,255}$/;

/**
 * Timeouts for the client the library builds. Without them the SDK waits forever on a
 * connection that never answers; these let a retry happen inside the trigger's deadline,
 * which still bounds the whole call, and end every request on their own, however long the
 * invocation lives. `throwOnRequestTimeout` because newer versions of the SDK's HTTP
 * handler only log a warning when a request passes `requestTimeout`. `cacheMiddleware`:
 * nobody else adds middleware to this client, so the SDK may resolve its middleware once
 * per command class instead of on every call.
 *
 * @internal
 */
export const defaultDynamoDBClientConfig: DynamoDBClientConfig = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  cacheMiddleware: true,
};

/** @internal */
export function resolveTable(option: TableOption | undefined, optionName = 'table'): ResolvedTable {
  if (option === undefined || option === null || option === '') {
    throw new ConfigurationError(optionName, 'is required: the profile table name (is the environment variable set?)');
  }
  const fields: TableFields & { client?: DynamoDBClient; clientConfig?: DynamoDBClientConfig } =
    typeof option === 'string' ? { name: option } : option;
  if (typeof fields !== 'object') throw new ConfigurationError(optionName, 'must be a table name or an object');
  const { name, partitionKey = 'userId', clientConfig } = fields;
  let { client } = fields;
  if (typeof name !== 'string' || !(TABLE_NAME.test(name) || TABLE_ARN.test(name))) {
    throw new ConfigurationError(
      typeof option === 'string' ? optionName : `${optionName}.name`,
      'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -) or a table ARN',
    );
  }
  const keyOption = `${optionName}.partitionKey`;
  if (typeof partitionKey !== 'string' || partitionKey.length === 0 || partitionKey.length > 255) {
    throw new ConfigurationError(keyOption, 'must be a non-empty attribute name');
  }
  if (LIBRARY_FIELDS.has(partitionKey)) throw new ConfigurationError(keyOption, `"${partitionKey}" is an attribute the library writes`);
  if (client !== undefined) {
    const clientOption = `${optionName}.client`;
    if (clientConfig !== undefined) throw new ConfigurationError(clientOption, 'give either client or clientConfig, not both');
    if (typeof (client as { send?: unknown }).send !== 'function') throw new ConfigurationError(clientOption, 'must be a DynamoDBClient');
  }

  return {
    name,
    partitionKey,
    boundedRequests: client === undefined && clientConfig?.requestHandler === undefined,
    client() {
      client ??= new DynamoDBClient({ ...defaultDynamoDBClientConfig, ...clientConfig });
      return client;
    },
  };
}
