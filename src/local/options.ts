import { TABLE_NAME } from '../constants.js';
import { ConfigurationError } from '../errors.js';
import { PRE_TOKEN_GENERATION_VERSIONS, type PreTokenGenerationVersion } from './tokenOverrides.js';
import type { LocalTriggerHandlers } from './triggers.js';
import { type LocalUserPoolOptions, type ResolvedUserPoolOptions, resolveUserPoolOptions } from './userPool.js';

/**
 * Options of `startLocalStack`.
 *
 * @example
 * ```ts
 * await startLocalStack({ tableName: 'members', handlers: { PostConfirmation: handler } });
 * ```
 */
export interface LocalStackOptions {
  /**
   * Name of the profile table created in dynalite.
   * @default 'profiles'
   */
  tableName?: string;
  /**
   * Its string partition key.
   * @default 'userId'
   */
  partitionKey?: string;
  /**
   * The handler for each trigger; change them later with `stack.setHandlers`.
   * @default {} (no trigger configured)
   */
  handlers?: LocalTriggerHandlers;
  /**
   * The Lambda function's own timeout: its context's `getRemainingTimeInMillis()` starts
   * here, and past it the Invoke endpoint answers as Lambda does on a timeout. Cognito's
   * own limit is separate and fixed, as on AWS: it waits 5 s for a trigger, then calls it
   * again, up to 3 calls, then fails the API call with `UnexpectedLambdaException`.
   * @default 5000
   */
  functionTimeoutMs?: number;
  /**
   * The pre token generation event version of the pool, as `LambdaConfig.PreTokenGenerationConfig.LambdaVersion`
   * sets it on AWS: `'V1_0'` sends the V1 event and applies `claimsOverrideDetails` to the
   * ID token; `'V2_0'` and `'V3_0'` send the V2/V3 event (with `request.scopes`) and apply
   * `claimsAndScopeOverrideDetails` to both tokens. An `UpdateUserPool` call that sets
   * `PreTokenGenerationConfig.LambdaVersion` on the pool takes precedence, as on AWS.
   * @default 'V1_0'
   */
  preTokenGenerationVersion?: PreTokenGenerationVersion;
  /** How the user pool is made. @default see {@link LocalUserPoolOptions} */
  userPool?: LocalUserPoolOptions;
  /**
   * Region of the returned clients, of `env.AWS_REGION`, of pool ids (`<region>_<id>`) and
   * of the `region` field of trigger events.
   * @default 'us-east-1'
   */
  region?: string;
  /**
   * Request timeout of the returned clients, so that no call can hang a test. It leaves
   * room for Cognito's three 5 s calls of a slow trigger, and a second trigger after it.
   * @default 35000
   */
  requestTimeoutMs?: number;
  /**
   * How long `readConfirmationCode` retries a pool file that is being rewritten.
   * @default 2000
   */
  codeReadTimeoutMs?: number;
}

const defaults = {
  tableName: 'profiles',
  partitionKey: 'userId',
  functionTimeoutMs: 5000,
  preTokenGenerationVersion: 'V1_0' as PreTokenGenerationVersion,
  region: 'us-east-1',
  requestTimeoutMs: 35_000,
  codeReadTimeoutMs: 2000,
};


/** The options with defaults applied. @internal */
export interface ResolvedOptions {
  readonly tableName: string;
  readonly partitionKey: string;
  readonly functionTimeoutMs: number;
  readonly preTokenGenerationVersion: PreTokenGenerationVersion;
  readonly region: string;
  readonly requestTimeoutMs: number;
  readonly codeReadTimeoutMs: number;
  readonly userPool: ResolvedUserPoolOptions;
}

/** Applies defaults and checks every option, before anything starts. @internal */
export function resolveOptions(options: LocalStackOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('options', 'must be an object');
  const config = {
    tableName: options.tableName ?? defaults.tableName,
    partitionKey: options.partitionKey ?? defaults.partitionKey,
    functionTimeoutMs: options.functionTimeoutMs ?? defaults.functionTimeoutMs,
    preTokenGenerationVersion: options.preTokenGenerationVersion ?? defaults.preTokenGenerationVersion,
    region: options.region ?? defaults.region,
    requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
    codeReadTimeoutMs: options.codeReadTimeoutMs ?? defaults.codeReadTimeoutMs,
    userPool: resolveUserPoolOptions(options.userPool),
  };
  if (typeof config.tableName !== 'string' || !TABLE_NAME.test(config.tableName)) {
    throw new ConfigurationError('tableName', 'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)');
  }
  if (typeof config.partitionKey !== 'string' || config.partitionKey.length === 0 || config.partitionKey.length > 255) {
    throw new ConfigurationError('partitionKey', 'must be a non-empty attribute name');
  }
  if (!PRE_TOKEN_GENERATION_VERSIONS.includes(config.preTokenGenerationVersion)) {
    throw new ConfigurationError('preTokenGenerationVersion', `must be one of ${PRE_TOKEN_GENERATION_VERSIONS.map((version) => `'${version}'`).join(', ')}`);
  }
  if (typeof config.region !== 'string' || !/^[a-z0-9-]+$/.test(config.region)) {
    throw new ConfigurationError('region', 'must be a region name such as us-east-1');
  }
  for (const name of ['functionTimeoutMs', 'requestTimeoutMs', 'codeReadTimeoutMs'] as const) {
    const value = config[name];
    if (!Number.isInteger(value) || value <= 0) throw new ConfigurationError(name, 'must be a positive whole number of milliseconds');
  }
  return config;
}
