import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SESClient } from '@aws-sdk/client-ses';
import pino from 'pino10';
import { describe, expectTypeOf, it } from 'vitest';
import { createPostConfirmationHandler, createReconcileHandler, sesWelcomeEmail, type Logger } from '../../src/index.js';

// The loggers teams use, as they are, with no adapter: proven against the real packages.
describe('logger', () => {
  it('takes Powertools Logger, pino and console as they are', () => {
    expectTypeOf(new PowertoolsLogger({ serviceName: 'members' })).toExtend<Logger>();
    expectTypeOf(pino()).toExtend<Logger>();
    expectTypeOf(console).toExtend<Logger>();
    createPostConfirmationHandler({ table: 'profiles', logger: new PowertoolsLogger() });
    createPostConfirmationHandler({ table: 'profiles', logger: pino() });
    createReconcileHandler({ userPoolId: 'eu-west-1_Abc123', table: 'profiles', logger: console });
  });

  it('refuses an object without the three levels', () => {
    // @ts-expect-error: no `warn` or `error`
    createPostConfirmationHandler({ table: 'profiles', logger: { info: () => undefined } });
  });
});

describe('SDK clients typed by shape', () => {
  it("takes the SDK's own Cognito and SES clients and their configuration", () => {
    createReconcileHandler({ userPoolId: 'eu-west-1_Abc123', table: 'profiles', cognitoClient: new CognitoIdentityProviderClient({}) });
    const config: ConstructorParameters<typeof CognitoIdentityProviderClient>[0] = { region: 'eu-west-1', maxAttempts: 2 };
    createReconcileHandler({ userPoolId: 'eu-west-1_Abc123', table: 'profiles', cognitoClientConfig: config });
    sesWelcomeEmail({ source: 'a@example.com', subject: 'Hi', text: 'Hi', client: new SESClient({}) });
    sesWelcomeEmail({ source: 'a@example.com', subject: 'Hi', text: 'Hi', clientConfig: { region: 'eu-west-1' } });
  });

  it('refuses a client and its config together', () => {
    // @ts-expect-error: either a client or its config
    sesWelcomeEmail({ source: 'a@example.com', subject: 'Hi', text: 'Hi', client: new SESClient({}), clientConfig: {} });
  });
});
