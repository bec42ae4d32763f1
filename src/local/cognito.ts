import type { Config } from 'cognito-local/lib/server/config.js';
import type { MessageSender } from 'cognito-local/lib/services/messageDelivery/messageSender.js';
import type { Server } from 'node:http';
import { importPeer, exportOf } from './peers.js';
import { LOOPBACK, closeServer, endpointOf } from './servers.js';
import { silentLogger } from './silentLogger.js';
import type { TriggerRegistry } from './triggers.js';

/** @internal */
export interface CognitoOptions {
  /** Where cognito-local keeps its JSON files (clients, one file per pool). */
  readonly dataDir: string;
  /** The Lambda Invoke endpoint cognito-local calls for triggers. */
  readonly invokeEndpoint: string;
  readonly registry: TriggerRegistry;
  readonly functionTimeoutMs: number;
  readonly usernameAttributes: readonly string[];
}

/** A running Cognito emulator. @internal */
export interface LocalCognito {
  readonly endpoint: string;
  close(): Promise<void>;
}

const PACKAGE = 'cognito-local';
/** Time for the Invoke call beyond the function's own timeout, so the endpoint's timeout answer arrives first. */
const INVOKE_MARGIN_MS = 2000;

/**
 * Starts cognito-local in this process, wired from its internals the way its
 * `createDefaultServer` does, with three differences: the data folder is ours (not
 * `.cognito/` in the current directory), the logger is silent (not pino-pretty), and
 * code deliveries are dropped (codes stay readable on the user, see `readConfirmationCode`).
 * Every object is built here, so two stacks share no config: each has its own
 * `TriggerFunctions` and its own Lambda client.
 *
 * @internal
 */
export async function startCognito(options: CognitoOptions): Promise<LocalCognito> {
  // cognito-local loads the AWS SDK v2, which prints an end-of-support notice to stderr.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
  const lib = await loadCognitoLocal();
  const config = buildConfig(options);
  const ctx = { logger: silentLogger as never };

  const clock = new lib.DateClock();
  const dataStoreFactory = new lib.StormDBDataStoreFactory(options.dataDir);
  const cognito = await new lib.CognitoServiceFactoryImpl(
    options.dataDir,
    dataStoreFactory,
    new lib.UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);
  const triggers = new lib.TriggersService(
    clock,
    cognito,
    // cognito-local keeps this TriggerFunctions object by reference: the registry edits it
    // when handlers change.
    new lib.LambdaService(config.TriggerFunctions, new lib.Lambda(config.LambdaClient)),
    new lib.CryptoService(config.KMSConfig),
  );
  const services = {
    clock,
    cognito,
    config,
    messages: new lib.MessagesService(triggers, new lib.MessageDeliveryService(droppingSender)),
    otp: lib.otp,
    tokenGenerator: new lib.JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  const server = (await lib.createServer(lib.Router(services), silentLogger as never, config.ServerConfig, services).start()) as Server;
  const endpoint = endpointOf(server, 'Cognito');
  // Token issuers are `<IssuerDomain>/<poolId>`; the port is only known now, and the token
  // generator reads this object when it signs.
  config.TokenConfig.IssuerDomain = endpoint;
  return { endpoint, close: () => closeServer(server) };
}

function buildConfig(options: CognitoOptions): Config {
  return {
    LambdaClient: {
      endpoint: options.invokeEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // The v2 SDK retries a failed Invoke by itself, which would call a failing trigger
      // up to four times where Cognito calls it once.
      maxRetries: 0,
      httpOptions: { connectTimeout: 1000, timeout: options.functionTimeoutMs + INVOKE_MARGIN_MS },
    },
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

async function loadCognitoLocal() {
  const load = <T>(path: string) => importPeer<T>(`${PACKAGE}/lib/${path}.js`, PACKAGE);
  const [server, router, services, cognitoService, userPoolService, stormDb, crypto, messageDelivery, tokenGenerator, otp, awsSdk] =
    await Promise.all([
      load<typeof import('cognito-local/lib/server/server.js')>('server/server'),
      load<typeof import('cognito-local/lib/server/Router.js')>('server/Router'),
      load<typeof import('cognito-local/lib/services/index.js')>('services/index'),
      load<typeof import('cognito-local/lib/services/cognitoService.js')>('services/cognitoService'),
      load<typeof import('cognito-local/lib/services/userPoolService.js')>('services/userPoolService'),
      load<typeof import('cognito-local/lib/services/dataStore/stormDb.js')>('services/dataStore/stormDb'),
      load<typeof import('cognito-local/lib/services/crypto.js')>('services/crypto'),
      load<typeof import('cognito-local/lib/services/messageDelivery/messageDelivery.js')>('services/messageDelivery/messageDelivery'),
      load<typeof import('cognito-local/lib/services/tokenGenerator.js')>('services/tokenGenerator'),
      load<typeof import('cognito-local/lib/services/otp.js')>('services/otp'),
      // cognito-local's own dependency; found from here when the package manager hoists it
      // (npm, yarn), which is also how cognito-local itself resolves it.
      importPeer<typeof import('aws-sdk')>('aws-sdk', 'aws-sdk'),
    ]);
  return {
    createServer: exportOf<typeof server.createServer>(server, 'createServer', PACKAGE),
    Router: exportOf<typeof router.Router>(router, 'Router', PACKAGE),
    DateClock: exportOf<typeof services.DateClock>(services, 'DateClock', PACKAGE),
    LambdaService: exportOf<typeof services.LambdaService>(services, 'LambdaService', PACKAGE),
    MessagesService: exportOf<typeof services.MessagesService>(services, 'MessagesService', PACKAGE),
    TriggersService: exportOf<typeof services.TriggersService>(services, 'TriggersService', PACKAGE),
    CognitoServiceFactoryImpl: exportOf<typeof cognitoService.CognitoServiceFactoryImpl>(cognitoService, 'CognitoServiceFactoryImpl', PACKAGE),
    UserPoolServiceFactoryImpl: exportOf<typeof userPoolService.UserPoolServiceFactoryImpl>(userPoolService, 'UserPoolServiceFactoryImpl', PACKAGE),
    StormDBDataStoreFactory: exportOf<typeof stormDb.StormDBDataStoreFactory>(stormDb, 'StormDBDataStoreFactory', PACKAGE),
    CryptoService: exportOf<typeof crypto.CryptoService>(crypto, 'CryptoService', PACKAGE),
    MessageDeliveryService: exportOf<typeof messageDelivery.MessageDeliveryService>(messageDelivery, 'MessageDeliveryService', PACKAGE),
    JwtTokenGenerator: exportOf<typeof tokenGenerator.JwtTokenGenerator>(tokenGenerator, 'JwtTokenGenerator', PACKAGE),
    otp: exportOf<typeof otp.otp>(otp, 'otp', PACKAGE),
    Lambda: exportOf<typeof awsSdk.Lambda>(awsSdk, 'Lambda', 'aws-sdk'),
  };
}
