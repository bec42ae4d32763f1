import { importPeer } from './peers.js';

type DynamoDBModule = typeof import('@aws-sdk/client-dynamodb');
type CognitoModule = typeof import('@aws-sdk/client-cognito-identity-provider');
type SesModule = typeof import('@aws-sdk/client-ses');

/** The AWS SDK v3 client packages the local stack builds clients from. @internal */
export interface Sdk {
  readonly dynamodb: DynamoDBModule;
  readonly cognito: CognitoModule;
  readonly ses: SesModule;
}

/** Loads the SDK v3 client packages, each with a clear error when it is missing. @internal */
export async function loadSdk(): Promise<Sdk> {
  const [dynamodb, cognito, ses] = await Promise.all([
    importPeer<DynamoDBModule>('@aws-sdk/client-dynamodb', '@aws-sdk/client-dynamodb'),
    importPeer<CognitoModule>('@aws-sdk/client-cognito-identity-provider', '@aws-sdk/client-cognito-identity-provider'),
    importPeer<SesModule>('@aws-sdk/client-ses', '@aws-sdk/client-ses'),
  ]);
  return { dynamodb, cognito, ses };
}
