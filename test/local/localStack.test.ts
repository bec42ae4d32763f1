import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  AdminInitiateAuthCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendEmailCommand } from '@aws-sdk/client-ses';
import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { isConfigurationError } from '../../src/errors.js';
import { type LocalStack, applyEnv, isLocalStackError, startLocalStack } from '../../src/local/index.js';

const PASSWORD = 'Passw0rd!';
let stack: LocalStack;
let startMs: number;
let seen: { event: PostConfirmationTriggerEvent; context: Context }[];
let userCount = 0;

/** A fresh email per test, so that tests share one pool without colliding. */
const newEmail = () => `user${++userCount}-${Date.now()}@example.com`;

const recordPostConfirmation = async (event: PostConfirmationTriggerEvent, context: Context) => {
  seen.push({ event, context });
  return event;
};

async function signUp(target: LocalStack, email: string, attributes: Record<string, string> = {}): Promise<string> {
  const { UserSub } = await target.clients.cognito.send(
    new SignUpCommand({
      ClientId: target.clientId,
      Username: email,
      Password: PASSWORD,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  return UserSub!;
}

const adminConfirm = (target: LocalStack, email: string) =>
  target.clients.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: target.userPoolId, Username: email }));

beforeAll(async () => {
  const startedAt = Date.now();
  stack = await startLocalStack({ handlers: { PostConfirmation: recordPostConfirmation } });
  startMs = Date.now() - startedAt;
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  seen = [];
  stack.setHandlers({ PostConfirmation: recordPostConfirmation });
  stack.clearInvocations();
});

describe('startLocalStack', () => {
  it('starts in a few seconds', () => {
    expect(startMs).toBeLessThan(10_000);
  });

  it('listens on 127.0.0.1 only and gives env vars that point there', () => {
    for (const endpoint of Object.values(stack.endpoints)) expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.env).toEqual({
      AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SES: stack.endpoints.ses,
      AWS_ENDPOINT_URL_SESV2: stack.endpoints.ses,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: stack.endpoints.cognito,
      AWS_ENDPOINT_URL_LAMBDA: stack.endpoints.lambda,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: expect.any(String),
      AWS_SECRET_ACCESS_KEY: expect.any(String),
    });
  });
});

describe('Cognito triggers', () => {
  it('calls PostConfirmation on ConfirmSignUp with the user attributes, sub included', async () => {
    // Prepare
    const email = newEmail();
    const sub = await signUp(stack, email, { 'custom:firstName': 'Ada', 'custom:plan': 'pro' });
    const code = await stack.readConfirmationCode(email);

    // Act
    await stack.clients.cognito.send(new ConfirmSignUpCommand({ ClientId: stack.clientId, Username: email, ConfirmationCode: code }));

    // Assess
    expect(seen).toHaveLength(1);
    const [{ event, context }] = seen as [(typeof seen)[number]];
    expect(event.triggerSource).toBe('PostConfirmation_ConfirmSignUp');
    expect(event.userPoolId).toBe(stack.userPoolId);
    expect(event.userName).toBe(sub); // email is the username attribute: the user name is the sub
    expect(event.request.userAttributes).toMatchObject({
      sub,
      email,
      'custom:firstName': 'Ada',
      'custom:plan': 'pro',
      'cognito:user_status': 'CONFIRMED',
    });
    expect(event).toMatchObject({ version: '1', region: 'us-east-1', callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: stack.clientId } }); // as AWS sends them
    expect(event.userPoolId).toMatch(/^us-east-1_[0-9A-Za-z]+$/);
    expect(context.functionName).toBe('local-PostConfirmation');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(5000);
    expect(stack.invocations).toMatchObject([{ trigger: 'PostConfirmation', triggerSource: 'PostConfirmation_ConfirmSignUp', errored: false }]);
  });

  it('calls PostConfirmation on AdminConfirmSignUp', async () => {
    const email = newEmail();
    const sub = await signUp(stack, email);

    await adminConfirm(stack, email);

    expect(seen.map(({ event }) => [event.triggerSource, event.request.userAttributes.sub])).toEqual([
      ['PostConfirmation_ConfirmSignUp', sub],
    ]);
    expect(seen[0]?.event.callerContext.clientId).toBe('CLIENT_ID_NOT_APPLICABLE'); // an admin call has no app client
  });

  it('calls PostConfirmation_ConfirmForgotPassword on ConfirmForgotPassword', async () => {
    // Prepare
    const email = newEmail();
    await signUp(stack, email);
    await adminConfirm(stack, email);
    seen = [];
    await stack.clients.cognito.send(new ForgotPasswordCommand({ ClientId: stack.clientId, Username: email }));
    const code = await stack.readConfirmationCode(email);

    // Act
    await stack.clients.cognito.send(
      new ConfirmForgotPasswordCommand({ ClientId: stack.clientId, Username: email, ConfirmationCode: code, Password: 'N3w-Passw0rd!' }),
    );

    // Assess
    expect(seen.map(({ event }) => event.triggerSource)).toEqual(['PostConfirmation_ConfirmForgotPassword']);
  });

  it('fails the confirmation when a PostConfirmation handler throws, and records the errored invocation, called once', async () => {
    // Prepare
    stack.setHandlers({
      PostConfirmation: async () => {
        throw new TypeError('profile table missing');
      },
    });
    const email = newEmail();
    await signUp(stack, email);

    // Act: as on AWS, the call fails with UserLambdaValidationException (and the user is
    // confirmed all the same); cognito-local alone would only log the failure.
    const confirming = adminConfirm(stack, email);

    // Assess
    await expect(confirming).rejects.toMatchObject({ name: 'UserLambdaValidationException', message: 'PostConfirmation failed with error profile table missing.' });
    expect(stack.invocations).toHaveLength(1); // a function error is not called again
    expect(stack.invocations[0]).toMatchObject({
      trigger: 'PostConfirmation',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      errored: true,
      errorType: 'TypeError',
      errorMessage: 'profile table missing',
    });
  });

  it('fails the sign-in when a PreTokenGeneration handler throws, with the error message', async () => {
    const email = newEmail();
    await signUp(stack, email);
    await adminConfirm(stack, email);
    stack.setHandlers({
      PreTokenGeneration: async () => {
        throw new Error('claims unavailable');
      },
    });
    stack.clearInvocations();

    const signIn = stack.clients.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: stack.userPoolId,
        ClientId: stack.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD },
      }),
    );

    await expect(signIn).rejects.toMatchObject({ name: 'UserLambdaValidationException', message: expect.stringContaining('claims unavailable') });
    expect(stack.invocations).toMatchObject([{ triggerSource: 'TokenGeneration_Authentication', errored: true }]);
  });

  it('puts the claims a PreTokenGeneration handler returns into the id token', async () => {
    const email = newEmail();
    await signUp(stack, email);
    await adminConfirm(stack, email);
    stack.setHandlers({
      PreTokenGeneration: async (event) => ({
        ...event,
        response: { claimsOverrideDetails: { claimsToAddOrOverride: { plan: 'pro' } } },
      }),
    });

    const { AuthenticationResult } = await stack.clients.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: stack.userPoolId,
        ClientId: stack.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD },
      }),
    );

    const claims = JSON.parse(Buffer.from(AuthenticationResult!.IdToken!.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ plan: 'pro', email, iss: `${stack.endpoints.cognito}/${stack.userPoolId}` });
  });

  it('stops calling a trigger whose handler was removed', async () => {
    stack.setHandlers({});
    const email = newEmail();
    await signUp(stack, email);

    await adminConfirm(stack, email);

    expect(stack.invocations).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('rejects a handler for a trigger it does not serve', () => {
    let thrown: unknown;
    try {
      stack.setHandlers({ PostConfirmaton: async () => undefined } as never);
    } catch (error) {
      thrown = error;
    }
    expect(isConfigurationError(thrown)).toBe(true);
    expect((thrown as Error).message).toContain('handlers.PostConfirmaton');
  });

  it('leaves email_verified unset after ConfirmSignUp (AWS sets it to true)', async () => {
    const email = newEmail();
    await signUp(stack, email);
    await stack.clients.cognito.send(
      new ConfirmSignUpCommand({ ClientId: stack.clientId, Username: email, ConfirmationCode: await stack.readConfirmationCode(email) }),
    );

    const { UserAttributes = [] } = await stack.clients.cognito.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: email }));

    // Documents an emulator difference the library must not rely on: code under test should
    // treat a missing email_verified as unknown, not as false.
    expect(UserAttributes.find(({ Name }) => Name === 'email_verified')).toBeUndefined();
  });
});

describe('cognito-local differences from AWS', () => {
  it('stores an attribute the schema does not have on SignUp (AWS answers InvalidParameterException)', async () => {
    const email = newEmail();
    await signUp(stack, email, { 'custom:notInSchema': 'x' });

    const { UserAttributes = [] } = await stack.clients.cognito.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: email }));

    expect(UserAttributes).toContainEqual({ Name: 'custom:notInSchema', Value: 'x' });
  });
});

describe('readConfirmationCode', () => {
  it('finds the code by email and by sub', async () => {
    const email = newEmail();
    const sub = await signUp(stack, email);

    const [byEmail, bySub] = await Promise.all([stack.readConfirmationCode(email), stack.readConfirmationCode(sub)]);

    expect(byEmail).toMatch(/^\d{6}$/);
    expect(bySub).toBe(byEmail);
  });

  it('says so when the user has no pending code, or no such user exists', async () => {
    const email = newEmail();
    await signUp(stack, email);
    const code = await stack.readConfirmationCode(email);
    await stack.clients.cognito.send(new ConfirmSignUpCommand({ ClientId: stack.clientId, Username: email, ConfirmationCode: code }));

    await expect(stack.readConfirmationCode(email)).rejects.toThrow('has no pending confirmation code');
    await expect(stack.readConfirmationCode('nobody@example.com')).rejects.toSatisfy(isLocalStackError);
  });

  it('still finds the sign-up code after AdminConfirmSignUp (cognito-local keeps it; ConfirmSignUp clears it)', async () => {
    const email = newEmail();
    await signUp(stack, email);
    const code = await stack.readConfirmationCode(email);

    await adminConfirm(stack, email);

    expect(await stack.readConfirmationCode(email)).toBe(code);
  });
});

describe('Lambda Invoke endpoint', () => {
  it('answers the SDK like Lambda: function errors in a 200 with X-Amz-Function-Error', async () => {
    stack.setHandlers({
      PostConfirmation: async () => {
        throw new Error('boom');
      },
    });
    const lambda = new LambdaClient({ region: 'us-east-1', endpoint: stack.endpoints.lambda, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    try {
      const response = await lambda.send(
        new InvokeCommand({ FunctionName: 'local-PostConfirmation', Payload: Buffer.from(JSON.stringify({ triggerSource: 'PostConfirmation_ConfirmSignUp' })) }),
      );

      expect(response.StatusCode).toBe(200);
      expect(response.FunctionError).toBe('Unhandled');
      expect(JSON.parse(Buffer.from(response.Payload!).toString('utf8'))).toMatchObject({
        errorType: 'Error',
        errorMessage: 'boom',
        trace: expect.arrayContaining([expect.stringContaining('Error: boom')]),
      });
      const byArn = await lambda.send(
        new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:local-PostConfirmation:$LATEST' }),
      );
      expect(byArn.FunctionError).toBe('Unhandled');
      await expect(lambda.send(new InvokeCommand({ FunctionName: 'local-PreSignUp' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    } finally {
      lambda.destroy();
    }
  });
});

describe('DynamoDB', () => {
  it('has the on-demand profile table, which accepts a PutItem and a GetItem', async () => {
    const { dynamodb } = stack.clients;
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'profiles' }));
    await dynamodb.send(new PutItemCommand({ TableName: 'profiles', Item: { userId: { S: 'u-1' }, plan: { S: 'pro' } } }));

    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'profiles', Key: { userId: { S: 'u-1' } }, ConsistentRead: true }));

    expect(Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    });
    expect(Item).toEqual({ userId: { S: 'u-1' }, plan: { S: 'pro' } });
  });

  it('is what a client built from the environment reaches, once env is applied', async () => {
    const restore = applyEnv(stack.env);
    let client: DynamoDBClient | undefined;
    try {
      client = new DynamoDBClient({ maxAttempts: 1 });
      const { TableNames } = await client.send(new ListTablesCommand({}));
      expect(TableNames).toContain('profiles');
      expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(stack.endpoints.dynamodb);
    } finally {
      client?.destroy();
      restore();
    }
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).not.toBe(stack.endpoints.dynamodb);
  });
});

describe('SES', () => {
  it('lists an email sent with the returned client, and clears the store', async () => {
    await stack.clearSentMail();
    await stack.clients.ses.send(
      new SendEmailCommand({
        Source: 'hello@example.com',
        Destination: { ToAddresses: ['ada@example.com'] },
        Message: { Subject: { Data: 'Welcome' }, Body: { Text: { Data: 'Hi Ada' } } },
      }),
    );

    const mail = await stack.listSentMail();
    await stack.clearSentMail();

    expect(mail).toMatchObject([{ from: 'hello@example.com', destination: { to: ['ada@example.com'] }, subject: 'Welcome', body: { text: 'Hi Ada' } }]);
    expect(await stack.listSentMail()).toEqual([]);
  });
});

describe('two stacks side by side', () => {
  let other: LocalStack;
  const otherSeen: string[] = [];

  beforeAll(async () => {
    other = await startLocalStack({
      tableName: 'members',
      partitionKey: 'id',
      functionTimeoutMs: 300,
      handlers: {
        PostConfirmation: async (event) => {
          otherSeen.push(event.request.userAttributes.email!);
          return event;
        },
      },
    });
  });

  afterAll(async () => {
    await other?.stop();
  });

  it('route each pool’s triggers to its own handlers', async () => {
    const [mine, theirs] = [newEmail(), newEmail()];
    await Promise.all([signUp(stack, mine), signUp(other, theirs)]);

    await Promise.all([adminConfirm(stack, mine), adminConfirm(other, theirs)]);

    expect(other.userPoolId).not.toBe(stack.userPoolId);
    expect(seen.map(({ event }) => event.request.userAttributes.email)).toEqual([mine]);
    expect(otherSeen).toEqual([theirs]);
    expect(other.invocations.map((call) => call.event)).toMatchObject([{ userPoolId: other.userPoolId }]);
    const { Table } = await other.clients.dynamodb.send(new DescribeTableCommand({ TableName: 'members' }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
  });

  it('answer as Lambda does on a timeout when a handler runs past functionTimeoutMs', async () => {
    let remainingAtStart = Number.NaN;
    other.setHandlers({
      PostConfirmation: async (event, context) => {
        remainingAtStart = context.getRemainingTimeInMillis();
        await new Promise((resolve) => setTimeout(resolve, 600));
        return event;
      },
    });
    const email = newEmail();
    await signUp(other, email);

    // Lambda's timeout is a function error: Cognito reports it and does not call again.
    await expect(adminConfirm(other, email)).rejects.toMatchObject({
      name: 'UserLambdaValidationException',
      message: 'PostConfirmation failed with error Task timed out after 0.30 seconds.',
    });

    expect(remainingAtStart).toBeLessThanOrEqual(300);
    expect(other.invocations.at(-1)).toMatchObject({
      errored: true,
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 0.30 seconds',
    });
  });
});

describe('stop', () => {
  it('closes every port and removes the data folder, and can be called again', async () => {
    const temporary = await startLocalStack();
    const { dataDir, endpoints } = temporary;
    expect(existsSync(dataDir)).toBe(true);

    await temporary.stop();
    await temporary.stop();

    expect(existsSync(dataDir)).toBe(false);
    for (const endpoint of Object.values(endpoints)) {
      await expect(fetch(endpoint, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    }
  });

  it('undoes a start that fails halfway, then rethrows', async () => {
    const ourFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('cognito-profile-sync-local-')).sort();
    const listeningServers = () => process.getActiveResourcesInfo().filter((type) => type === 'TCPServerWrap').length;
    const [foldersBefore, serversBefore] = [ourFolders(), listeningServers()];

    // Every server starts for real; a fault injected into the first Cognito call
    // (CreateUserPool) then fails the start after them.
    const send = vi.spyOn(CognitoIdentityProviderClient.prototype, 'send').mockRejectedValueOnce(new Error('injected fault') as never);
    try {
      await expect(startLocalStack()).rejects.toThrow('injected fault');
    } finally {
      send.mockRestore();
    }

    expect(ourFolders()).toEqual(foldersBefore);
    expect(listeningServers()).toBe(serversBefore);
  });

  it('validates options before starting anything', async () => {
    await expect(startLocalStack({ tableName: 'x' })).rejects.toSatisfy(isConfigurationError);
    await expect(startLocalStack({ userPool: { customAttributes: ['custom:plan'] } })).rejects.toThrow('userPool.customAttributes[0]');
    await expect(startLocalStack({ preTokenGenerationVersion: 'V2' as never })).rejects.toThrow("Invalid option `preTokenGenerationVersion`: must be one of 'V1_0', 'V2_0', 'V3_0'");
  });
});
