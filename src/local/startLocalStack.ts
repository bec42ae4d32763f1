import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cleanup, createCleanup } from './cleanup.js';
import { type LocalClients, createClients, destroyClients } from './clients.js';
import { startCognito } from './cognito.js';
import { readConfirmationCode } from './confirmationCode.js';
import { createProfileTable, startDynamo } from './dynamo.js';
import type { LocalEndpoints } from './endpoints.js';
import { type LocalEnv, buildEnv } from './env.js';
import { LocalStackError } from './errors.js';
import type { LocalInvocation } from './invocations.js';
import { startInvokeEndpoint } from './lambdaEndpoint.js';
import { loadSdk } from './sdk.js';
import { type SentMail, startSes } from './ses.js';
import { type LocalStackOptions, resolveOptions } from './options.js';
import { type LocalTriggerHandlers, createTriggerRegistry } from './triggers.js';
import { COGNITO_TRIGGER_LIMITS } from './triggerInvoker.js';
import { createUserPool } from './userPool.js';

/**
 * A running local stack. Everything listens on 127.0.0.1 and lives in this process.
 *
 * @example
 * ```ts
 * const code = await stack.readConfirmationCode('ada@example.com');
 * await stack.clients.cognito.send(new ConfirmSignUpCommand({ ClientId: stack.clientId, Username: 'ada@example.com', ConfirmationCode: code }));
 * ```
 */
export interface LocalStack {
  readonly endpoints: LocalEndpoints;
  /** SDK v3 clients bound to the local servers, with dummy credentials and timeouts. */
  readonly clients: LocalClients;
  /** Variables that send clients built with `{}` to the local servers; see `applyEnv`. */
  readonly env: LocalEnv;
  readonly region: string;
  readonly tableName: string;
  readonly partitionKey: string;
  /** Id of the pool, such as `us-east-1_4Xz9aB2c` (`<region>_<id>`, as on AWS). */
  readonly userPoolId: string;
  /** Id of the app client (no secret; password flows allowed). */
  readonly clientId: string;
  /** cognito-local's data folder, a temp folder removed by `stop()`. */
  readonly dataDir: string;
  /** Every invocation the Invoke endpoint answered, oldest first (a live array). */
  readonly invocations: readonly LocalInvocation[];
  /** Replaces all handlers; a trigger left out is no longer configured on the pool. */
  setHandlers(handlers: LocalTriggerHandlers): void;
  /** Empties `invocations`. */
  clearInvocations(): void;
  /**
   * The mail the SES emulator accepted. Its store is one per process: this lists mail sent
   * through every stack (and every aws-ses-v2-local server) in the process.
   */
  listSentMail(): Promise<SentMail[]>;
  /** Empties the SES store, for every stack in the process. */
  clearSentMail(): Promise<void>;
  /** The pending sign-up or reset code of a user, by user name, `sub` or email. */
  readConfirmationCode(user: string): Promise<string>;
  /** Closes every server and client and removes `dataDir`. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts, in this process, a DynamoDB-compatible server with the profile table, a Cognito
 * emulator with a user pool and app client whose triggers call your handlers through a
 * local Lambda Invoke endpoint, and an SES emulator: no AWS account, nothing beyond
 * 127.0.0.1. The emulators (`dynalite`, `cognito-local`, `aws-ses-v2-local`) and the SDK
 * clients are optional peer dependencies, loaded here; a missing one is named in the error.
 * A start that fails stops what it had started before rethrowing.
 *
 * Where cognito-local differs from AWS in a way a trigger can see, the stack answers as AWS
 * does: pre token generation V1/V2/V3 events and their overrides applied to the issued
 * tokens (`preTokenGenerationVersion`), `TokenGeneration_NewPasswordChallenge`, a failing
 * PostConfirmation failing the call, Cognito's 5 s limit and 3 calls, `ListUsers` paging
 * and filters. `src/local/EMULATORS.md` has the conformance table.
 *
 * It sets `AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE` (when unset) to quiet the AWS SDK
 * v2 that cognito-local loads; it changes nothing else in `process.env`.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({
 *   handlers: { PostConfirmation: createPostConfirmationHandler({ table: 'profiles' }) },
 * });
 * const restoreEnv = applyEnv(stack.env); // the handler builds its own DynamoDB client
 * await stack.clients.cognito.send(new SignUpCommand({ ClientId: stack.clientId, Username: 'ada@example.com', Password: 'Passw0rd!' }));
 * // ... confirm, then read the row with stack.clients.dynamodb
 * restoreEnv();
 * await stack.stop();
 * ```
 */
export function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startLocalStackWith(options, COGNITO_TRIGGER_LIMITS);
}

/**
 * Cognito's limits for a trigger call, fixed on AWS. Only tests change them, to see a
 * timeout without waiting 3 x 5 s.
 *
 * @internal
 */
export interface TriggerLimits {
  readonly timeoutMs: number;
  readonly attempts: number;
}

/**
 * `startLocalStack` with Cognito's trigger limits given; not exported from the package.
 *
 * @internal
 */
export async function startLocalStackWith(options: LocalStackOptions, triggerLimits: TriggerLimits): Promise<LocalStack> {
  const config = resolveOptions(options);
  const registry = createTriggerRegistry(options.handlers ?? {});
  const invocations: LocalInvocation[] = [];
  const cleanup = createCleanup();
  try {
    const sdk = await loadSdk();
    const dataDir = await mkdtemp(join(tmpdir(), 'cognito-profile-sync-local-'));
    cleanup.add(() => rm(dataDir, { recursive: true, force: true, maxRetries: 3 }));

    const invoke = await startInvokeEndpoint({
      registry,
      functionTimeoutMs: config.functionTimeoutMs,
      record: (invocation) => invocations.push(invocation),
    });
    cleanup.add(invoke.close);
    const [dynamo, cognito, ses] = await startAll(cleanup, [
      startDynamo(),
      startCognito({
        dataDir,
        invokeEndpoint: invoke.endpoint,
        registry,
        usernameAttributes: config.userPool.usernameAttributes,
        region: config.region,
        preTokenGenerationVersion: config.preTokenGenerationVersion,
        triggerLimits,
      }),
      startSes(),
    ]);

    const endpoints: LocalEndpoints = { dynamodb: dynamo.endpoint, cognito: cognito.endpoint, ses: ses.endpoint, lambda: invoke.endpoint };
    const clients = createClients(sdk, endpoints, config);
    cleanup.add(() => destroyClients(clients));
    const [{ userPoolId, clientId }] = await Promise.all([
      createUserPool(sdk, clients.cognito, config.userPool),
      createProfileTable(sdk, clients.dynamodb, config.tableName, config.partitionKey),
    ]);

    return {
      endpoints,
      clients,
      env: buildEnv(endpoints, config.region),
      region: config.region,
      tableName: config.tableName,
      partitionKey: config.partitionKey,
      userPoolId,
      clientId,
      dataDir,
      invocations,
      setHandlers: (handlers) => registry.set(handlers),
      clearInvocations: () => {
        invocations.length = 0;
      },
      listSentMail: () => ses.listSentMail(),
      clearSentMail: () => ses.clearSentMail(),
      readConfirmationCode: (user) => readConfirmationCode(dataDir, userPoolId, user, { timeoutMs: config.codeReadTimeoutMs }),
      stop: () => stopWith(cleanup),
    };
  } catch (error) {
    // The original error says what went wrong; a failure while undoing would only hide it.
    await cleanup.run().catch(() => undefined);
    throw error;
  }
}

/**
 * Starts servers side by side; each one that started is registered for cleanup even when
 * another failed, so a failed start leaves nothing listening.
 */
async function startAll<const T extends readonly Promise<{ close(): Promise<void> }>[]>(
  cleanup: Cleanup,
  starting: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(starting);
  for (const result of results) {
    if (result.status === 'fulfilled') cleanup.add(() => result.value.close());
  }
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

async function stopWith(cleanup: Cleanup): Promise<void> {
  try {
    await cleanup.run();
  } catch (error) {
    throw new LocalStackError('The local stack did not stop cleanly', { cause: error });
  }
}
