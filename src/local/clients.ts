import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESClient } from '@aws-sdk/client-ses';
import { LOCAL_CREDENTIALS, type LocalEndpoints } from './endpoints.js';
import type { Sdk } from './sdk.js';

/**
 * SDK v3 clients bound to the local servers.
 *
 * @example
 * ```ts
 * await stack.clients.dynamodb.send(new GetItemCommand({ TableName: stack.tableName, Key }));
 * ```
 */
export interface LocalClients {
  readonly dynamodb: DynamoDBClient;
  readonly cognito: CognitoIdentityProviderClient;
  readonly ses: SESClient;
}

/** @internal */
export interface ClientSettings {
  readonly region: string;
  readonly requestTimeoutMs: number;
}

/**
 * Builds the clients. Each has a request timeout (the SDK has none by default, and an
 * endpoint that accepts and never answers would hang a test) and a single attempt: the
 * local servers do not throttle, and a retried Cognito call would call its triggers again.
 *
 * @internal
 */
export function createClients(sdk: Sdk, endpoints: LocalEndpoints, settings: ClientSettings): LocalClients {
  const common = {
    region: settings.region,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: settings.requestTimeoutMs },
  };
  return {
    dynamodb: new sdk.dynamodb.DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
    cognito: new sdk.cognito.CognitoIdentityProviderClient({ ...common, endpoint: endpoints.cognito }),
    ses: new sdk.ses.SESClient({ ...common, endpoint: endpoints.ses }),
  };
}

/** Closes the clients' sockets. @internal */
export function destroyClients(clients: LocalClients): void {
  clients.dynamodb.destroy();
  clients.cognito.destroy();
  clients.ses.destroy();
}
