import type { Config } from 'cognito-local/lib/server/config.js';
import type { MessageSender } from 'cognito-local/lib/services/messageDelivery/messageSender.js';
import type { Server } from 'node:http';
import { type CognitoLocalServices, loadCognitoLocal } from './cognitoLocalLib.js';
import { createRouter } from './cognitoTargets.js';
import { createTriggers } from './cognitoTriggers.js';
import { LOOPBACK, closeServer, endpointOf } from './servers.js';
import { silentLogger } from './silentLogger.js';
import { createTokenGenerator } from './tokenGenerator.js';
import type { PreTokenGenerationVersion } from './tokenOverrides.js';
import { type CognitoErrorFactory, createTriggerInvoker } from './triggerInvoker.js';
import type { TriggerRegistry } from './triggers.js';

/** @internal */
export interface CognitoOptions {
  /** Where cognito-local keeps its JSON files (clients, one file per pool). */
  readonly dataDir: string;
  /** The Lambda Invoke endpoint triggers are called through. */
  readonly invokeEndpoint: string;
  readonly registry: TriggerRegistry;
  readonly usernameAttributes: readonly string[];
  /** The region in pool ids, ARNs and trigger events. */
  readonly region: string;
  readonly preTokenGenerationVersion: PreTokenGenerationVersion;
  /** Cognito's wait for one trigger call, and how many calls it makes. */
  readonly triggerLimits: { readonly timeoutMs: number; readonly attempts: number };
}

/** A running Cognito emulator. @internal */
export interface LocalCognito {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts cognito-local in this process, wired from its internals the way its
 * `createDefaultServer` does, with these differences:
 * - the data folder is ours (not `.cognito/` in the current directory), the logger is
 *   silent (not pino-pretty), and code deliveries are dropped (codes stay readable on the
 *   user, see `readConfirmationCode`);
 * - triggers are called the way Cognito calls them (`createTriggerInvoker`, `createTriggers`),
 *   tokens are issued the way Cognito issues them (`createTokenGenerator`), and a few API
 *   calls are answered the way AWS answers them (`createRouter`).
 * Every object is built here, so two stacks share no config: each has its own
 * `TriggerFunctions`.
 *
 * @internal
 */
export async function startCognito(options: CognitoOptions): Promise<LocalCognito> {
  // cognito-local loads the AWS SDK v2, which prints an end-of-support notice to stderr.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
  const lib = await loadCognitoLocal();
  const config = buildConfig(options);
  const ctx = { logger: silentLogger as never };
  const fail: CognitoErrorFactory = (code, message) => new lib.CognitoError(code, message);

  const clock = new lib.DateClock();
  const dataStoreFactory = new lib.StormDBDataStoreFactory(options.dataDir);
  const cognito = await new lib.CognitoServiceFactoryImpl(
    options.dataDir,
    dataStoreFactory,
    new lib.UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);
  const invoker = createTriggerInvoker({
    invokeEndpoint: options.invokeEndpoint,
    // The registry edits this object when handlers change, which turns triggers on and off.
    functions: options.registry.functions,
    region: options.region,
    ...options.triggerLimits,
    fail,
    shapeEvent: (event) => (lib.LambdaService.prototype as unknown as LegacyEventShaper).createLambdaEvent(event),
  });
  const triggers = createTriggers(
    lib,
    new lib.TriggersService(clock, cognito, invoker as never, new lib.CryptoService(config.KMSConfig)),
    invoker,
  );
  const services: CognitoLocalServices = {
    clock,
    cognito,
    config,
    messages: new lib.MessagesService(triggers, new lib.MessageDeliveryService(droppingSender)),
    otp: lib.otp,
    tokenGenerator: createTokenGenerator({
      cognito,
      invoker,
      region: options.region,
      preTokenGenerationVersion: options.preTokenGenerationVersion,
      issuerDomain: () => config.TokenConfig.IssuerDomain ?? `http://${LOOPBACK}`,
      signingKeyPem: lib.signingKeyPem,
      attributesToRecord: lib.attributesToRecord,
    }),
    triggers,
  };
  const router = createRouter(lib, services, options.region, fail);
  const server = (await lib.createServer(router as never, silentLogger as never, config.ServerConfig, services).start()) as Server;
  const endpoint = endpointOf(server, 'Cognito');
  // Token issuers are `<IssuerDomain>/<poolId>`; the port is only known now, and the token
  // generator reads this object when it signs.
  config.TokenConfig.IssuerDomain = endpoint;
  return { endpoint, close: () => closeServer(server) };
}

/** cognito-local's (private) builder of each trigger source's event shape. */
interface LegacyEventShaper {
  createLambdaEvent(event: unknown): Record<string, unknown>;
}

function buildConfig(options: CognitoOptions): Config {
  return {
    // Unused: triggers go through the stack's invoker, not cognito-local's Lambda client.
    LambdaClient: { endpoint: options.invokeEndpoint, region: options.region },
    TriggerFunctions: options.registry.functions,
    // Pools get their own UsernameAttributes from CreateUserPool, but cognito-local's SignUp
    // reads these defaults when a PreSignUp trigger runs: keep the two the same.
    UserPoolDefaults: { UsernameAttributes: [...options.usernameAttributes] },
    TokenConfig: { IssuerDomain: `http://${LOOPBACK}` },
    ServerConfig: { port: 0, hostname: LOOPBACK, development: false, https: false },
  };
}

/** cognito-local's console sender only logs the code; with a silent logger it is noise. */
const droppingSender: MessageSender = {
  sendEmail: () => Promise.resolve(),
  sendSms: () => Promise.resolve(),
};
