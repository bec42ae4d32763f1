import { LocalStackError } from './errors.js';
import { exportOf, importJsonPeer, importPeer } from './peers.js';

const PACKAGE = 'cognito-local';

/** The parts of cognito-local the stack builds its server from. @internal */
export type CognitoLocalLib = Awaited<ReturnType<typeof loadCognitoLocal>>;

/** cognito-local's user record, as its services pass it around. @internal */
export type CognitoLocalUser = import('cognito-local/lib/services/userPoolService.js').User;
/** cognito-local's user pool service. @internal */
export type CognitoLocalUserPool = import('cognito-local/lib/services/userPoolService.js').UserPoolService;
/** cognito-local's app client record. @internal */
export type CognitoLocalAppClient = import('cognito-local/lib/services/appClient.js').AppClient;
/** The services object cognito-local's targets are built from. @internal */
export type CognitoLocalServices = import('cognito-local/lib/services/index.js').Services;
/** The request context cognito-local passes to every service call. @internal */
export type CognitoLocalContext = import('cognito-local/lib/services/context.js').Context;

/**
 * Loads cognito-local's internals (it has no `exports` map, so deep imports work) and the
 * AWS SDK v2 it depends on. Every name is looked up through `exportOf`, so a version that
 * moved one fails here with the name, not later with a `TypeError`.
 *
 * @internal
 */
export async function loadCognitoLocal() {
  const load = <T>(path: string) => importPeer<T>(`${PACKAGE}/lib/${path}.js`, PACKAGE);
  const [server, router, services, cognitoService, userPoolService, stormDb, crypto, messageDelivery, otp, errors, responses, privateKey] =
    await Promise.all([
      load<typeof import('cognito-local/lib/server/server.js')>('server/server'),
      load<typeof import('cognito-local/lib/server/Router.js')>('server/Router'),
      load<typeof import('cognito-local/lib/services/index.js')>('services/index'),
      load<typeof import('cognito-local/lib/services/cognitoService.js')>('services/cognitoService'),
      load<typeof import('cognito-local/lib/services/userPoolService.js')>('services/userPoolService'),
      load<typeof import('cognito-local/lib/services/dataStore/stormDb.js')>('services/dataStore/stormDb'),
      load<typeof import('cognito-local/lib/services/crypto.js')>('services/crypto'),
      load<typeof import('cognito-local/lib/services/messageDelivery/messageDelivery.js')>('services/messageDelivery/messageDelivery'),
      load<typeof import('cognito-local/lib/services/otp.js')>('services/otp'),
      load<typeof import('cognito-local/lib/errors.js')>('errors'),
      load<typeof import('cognito-local/lib/targets/responses.js')>('targets/responses'),
      // The key every cognito-local server signs with and serves in its JWKS: tokens the
      // stack signs itself must verify against that JWKS.
      importJsonPeer<{ pem?: unknown }>(`${PACKAGE}/lib/keys/cognitoLocal.private.json`, PACKAGE),
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
    attributesToRecord: exportOf<typeof userPoolService.attributesToRecord>(userPoolService, 'attributesToRecord', PACKAGE),
    StormDBDataStoreFactory: exportOf<typeof stormDb.StormDBDataStoreFactory>(stormDb, 'StormDBDataStoreFactory', PACKAGE),
    CryptoService: exportOf<typeof crypto.CryptoService>(crypto, 'CryptoService', PACKAGE),
    MessageDeliveryService: exportOf<typeof messageDelivery.MessageDeliveryService>(messageDelivery, 'MessageDeliveryService', PACKAGE),
    otp: exportOf<typeof otp.otp>(otp, 'otp', PACKAGE),
    CognitoError: exportOf<typeof errors.CognitoError>(errors, 'CognitoError', PACKAGE),
    userToResponseObject: exportOf<typeof responses.userToResponseObject>(responses, 'userToResponseObject', PACKAGE),
    signingKeyPem: pemOf(privateKey),
  };
}

function pemOf(key: { pem?: unknown; default?: { pem?: unknown } }): string {
  const pem = key.pem ?? key.default?.pem;
  if (typeof pem !== 'string') {
    throw new LocalStackError(`"${PACKAGE}" has no signing key in lib/keys; is it a version cognito-profile-sync/local supports?`);
  }
  return pem;
}
