import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { BatchGetItemCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/index.js';
import { serveUsers } from '../support/listUsers.js';

/*
 * Reconcile's calls carry an abort signal only where something can abort them: a caller's
 * `signal`. Without one the run's own signal never fires, and a signal on every write would
 * only cost the SDK its abort listeners.
 */
const ddb = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const cognitoClient = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const SUB = '11111111-2222-3333-4444-555555555555';

afterEach(() => {
  ddb.reset();
  cognito.reset();
});

describe('reconcile creating a missing row', () => {
  it.each([
    ['with a caller signal, the create can be aborted', true],
    ['without one, the create goes without options', false],
  ])('%s', async (_label, withSignal) => {
    serveUsers(cognito, [{ Username: 'ana', UserStatus: 'CONFIRMED', Enabled: true, Attributes: [{ Name: 'sub', Value: SUB }] }]);
    ddb.on(BatchGetItemCommand).resolves({ Responses: {} });
    ddb.on(PutItemCommand).resolves({});
    ddb.on(ScanCommand).resolves({ Items: [] });
    const controller = new AbortController();

    const report = await reconcile({
      userPoolId: 'eu-west-1_AbC123',
      table: { name: 'profiles', client },
      cognitoClient,
      listUsersPerSecond: Infinity,
      ...(withSignal && { signal: controller.signal }),
    });

    expect(report.created).toBe(1);
    const [create] = ddb.commandCalls(PutItemCommand);
    const options = (create!.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
    if (withSignal) expect(options?.abortSignal).toBeInstanceOf(AbortSignal);
    else expect(options).toBeUndefined();
  });
});
