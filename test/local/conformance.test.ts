import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  type AuthenticationResultType,
  ConfirmSignUpCommand,
  CreateGroupCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  type ListUsersCommandInput,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { createPublicKey, createVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreTokenGenerationHandler } from '../../src/index.js';
import { type LocalStack, type PreTokenGenerationVersion, startLocalStack } from '../../src/local/index.js';
import { startLocalStackWith } from '../../src/local/startLocalStack.js';

/*
 * The behaviours src/local/EMULATORS.md's conformance table marks "same as AWS", each
 * asserted through the AWS SDK against startLocalStack. The rows name these tests.
 */

const PASSWORD = 'Passw0rd!';
let count = 0;
const newEmail = (tag: string) => `${tag}-${++count}-${Date.now()}@conformance.example`;

/** The claims of a JWT, decoded from its base64url payload (no signature check here). */
const claimsOf = (token: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

async function confirmedUser(stack: LocalStack, tag: string, attributes: Record<string, string> = {}): Promise<{ email: string; sub: string }> {
  const email = newEmail(tag);
  const { UserSub } = await stack.clients.cognito.send(
    new SignUpCommand({
      ClientId: stack.clientId,
      Username: email,
      Password: PASSWORD,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  await stack.clients.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: stack.userPoolId, Username: email }));
  return { email, sub: UserSub! };
}

async function signIn(stack: LocalStack, email: string): Promise<AuthenticationResultType> {
  const { AuthenticationResult } = await stack.clients.cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: stack.userPoolId,
      ClientId: stack.clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD },
    }),
  );
  return AuthenticationResult!;
}

/** Sets the pool's pre token generation version the way it is done on AWS: UpdateUserPool. */
async function setPoolVersion(stack: LocalStack, version: PreTokenGenerationVersion): Promise<void> {
  const { UserPool } = await stack.clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: stack.userPoolId }));
  await stack.clients.cognito.send(
    new UpdateUserPoolCommand({
      UserPoolId: stack.userPoolId,
      // UpdateUserPool resets what it is not given, on AWS as here: carry the settings over.
      AutoVerifiedAttributes: UserPool?.AutoVerifiedAttributes,
      LambdaConfig: {
        PreTokenGenerationConfig: { LambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:local-PreTokenGeneration', LambdaVersion: version },
      },
    }),
  );
}

type AnyPreTokenEvent = PreTokenGenerationTriggerEvent & { request: { scopes?: string[] }; response: Record<string, unknown> };

describe('pre token generation V2 and V3', () => {
  let stack: LocalStack;
  const seen: AnyPreTokenEvent[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ preTokenGenerationVersion: 'V2_0', region: 'eu-west-1' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('sends the V2 event: version "2", scopes, group configuration, the V2 response shape', async () => {
    // Prepare
    stack.setHandlers({
      PreTokenGeneration: async (event) => {
        seen.push(structuredClone(event) as AnyPreTokenEvent);
        return event;
      },
    });
    const { email, sub } = await confirmedUser(stack, 'v2-event');

    // Act
    await signIn(stack, email);

    // Assess
    expect(seen.at(-1)).toEqual({
      version: '2',
      triggerSource: 'TokenGeneration_Authentication',
      region: 'eu-west-1',
      userPoolId: stack.userPoolId,
      userName: sub,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: stack.clientId },
      request: {
        userAttributes: { sub, email, 'cognito:user_status': 'CONFIRMED' },
        groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null },
        scopes: ['aws.cognito.signin.user.admin'],
      },
      response: { claimsAndScopeOverrideDetails: null },
    });
    expect(stack.userPoolId).toMatch(/^eu-west-1_[0-9A-Za-z]+$/);
  });

  it('applies claimsAndScopeOverrideDetails: ID and access token claims and scopes, added and suppressed', async () => {
    // Prepare
    stack.setHandlers({
      PreTokenGeneration: async (event) => ({
        ...event,
        response: {
          claimsAndScopeOverrideDetails: {
            idTokenGeneration: { claimsToAddOrOverride: { plan: 'pro', email: 'hidden@x' }, claimsToSuppress: ['email', 'custom:plan'] },
            accessTokenGeneration: {
              claimsToAddOrOverride: { tenant: 'acme', roles: ['reader', 'writer'] },
              claimsToSuppress: ['username'],
              scopesToAdd: ['photos/read', 'photos/write'],
              scopesToSuppress: ['aws.cognito.signin.user.admin', 'photos/write'],
            },
          },
        },
      }),
    });
    const { email, sub } = await confirmedUser(stack, 'v2-claims', { 'custom:plan': 'free' });

    // Act
    const tokens = await signIn(stack, email);

    // Assess
    const id = claimsOf(tokens.IdToken);
    const access = claimsOf(tokens.AccessToken);
    expect(id).toMatchObject({ sub, plan: 'pro', token_use: 'id', aud: stack.clientId });
    expect(id).not.toHaveProperty('email'); // added and suppressed: suppressed wins
    expect(id).not.toHaveProperty('custom:plan');
    expect(access).toMatchObject({ sub, tenant: 'acme', roles: ['reader', 'writer'], token_use: 'access', client_id: stack.clientId, scope: 'photos/read' });
    expect(access).not.toHaveProperty('plan'); // ID token claims stay in the ID token
    expect(access.username).toBe(sub); // reserved: a trigger cannot suppress it
  });

  it('leaves reserved claims as Cognito set them', async () => {
    stack.setHandlers({
      PreTokenGeneration: async (event) => ({
        ...event,
        response: {
          claimsAndScopeOverrideDetails: {
            idTokenGeneration: { claimsToAddOrOverride: { sub: 'forged', token_use: 'access', 'cognito:username': 'admin' }, claimsToSuppress: ['iss', 'exp'] },
            accessTokenGeneration: { claimsToAddOrOverride: { client_id: 'other', scope: 'admin' } },
          },
        },
      }),
    });
    const { email, sub } = await confirmedUser(stack, 'v2-reserved');

    const tokens = await signIn(stack, email);

    expect(claimsOf(tokens.IdToken)).toMatchObject({ sub, token_use: 'id', 'cognito:username': sub, iss: `${stack.endpoints.cognito}/${stack.userPoolId}`, exp: expect.any(Number) });
    expect(claimsOf(tokens.AccessToken)).toMatchObject({ client_id: stack.clientId, scope: 'aws.cognito.signin.user.admin' });
  });

  it("sends the user's groups and roles, and applies a group override to both tokens", async () => {
    // Prepare: a group with a role, and a handler that swaps the groups
    const editorRole = 'arn:aws:iam::000000000000:role/editor';
    await stack.clients.cognito.send(new CreateGroupCommand({ UserPoolId: stack.userPoolId, GroupName: 'editors', RoleArn: editorRole, Precedence: 1 }));
    const { email } = await confirmedUser(stack, 'v2-groups');
    await stack.clients.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: stack.userPoolId, Username: email, GroupName: 'editors' }));
    const requests: AnyPreTokenEvent['request'][] = [];
    stack.setHandlers({
      PreTokenGeneration: async (event) => {
        requests.push(structuredClone(event.request));
        return { ...event, response: { claimsAndScopeOverrideDetails: { groupOverrideDetails: { groupsToOverride: ['admins', 'editors'] } } } };
      },
    });

    // Act
    const tokens = await signIn(stack, email);

    // Assess
    expect(requests[0]?.groupConfiguration).toEqual({ groupsToOverride: ['editors'], iamRolesToOverride: [editorRole], preferredRole: editorRole });
    expect(claimsOf(tokens.IdToken)['cognito:groups']).toEqual(['admins', 'editors']);
    expect(claimsOf(tokens.AccessToken)['cognito:groups']).toEqual(['admins', 'editors']);
    expect(claimsOf(tokens.IdToken)).not.toHaveProperty('cognito:roles'); // the override gave no roles
  });

  it("carries the library handler's access-token claims into the access token", async () => {
    // Prepare: the library's own handler, writing to the stack's table
    stack.setHandlers({
      PreTokenGeneration: createPreTokenGenerationHandler({
        table: { name: stack.tableName, client: stack.clients.dynamodb },
        claims: { member_email: 'email' },
        accessTokenClaims: { member_since: (profile) => String(profile.createdAt).slice(0, 10) },
        logger: { info() {}, warn() {}, error() {} },
      }),
    });
    const { email } = await confirmedUser(stack, 'v2-library');

    // Act
    const tokens = await signIn(stack, email);

    // Assess
    expect(claimsOf(tokens.AccessToken).member_since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(claimsOf(tokens.IdToken).member_email).toBe(email);
    expect(claimsOf(tokens.IdToken)).not.toHaveProperty('member_since');
  });

  it('ignores a V1-shaped response, as a V2 pool does', async () => {
    stack.setHandlers({
      PreTokenGeneration: async (event) => ({ ...event, response: { claimsOverrideDetails: { claimsToAddOrOverride: { plan: 'pro' } } } }),
    });
    const { email } = await confirmedUser(stack, 'v2-wrong-shape');

    const tokens = await signIn(stack, email);

    expect(claimsOf(tokens.IdToken)).not.toHaveProperty('plan');
  });

  it('sends the V3 event once the pool is set to V3_0 with UpdateUserPool, and applies its response alike', async () => {
    // Prepare
    await setPoolVersion(stack, 'V3_0');
    const versions: string[] = [];
    stack.setHandlers({
      PreTokenGeneration: async (event) => {
        versions.push(event.version);
        return { ...event, response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { tier: 'gold' } } } } };
      },
    });
    try {
      const { email } = await confirmedUser(stack, 'v3');

      // Act
      const tokens = await signIn(stack, email);

      // Assess
      expect(versions).toEqual(['3']);
      expect(claimsOf(tokens.AccessToken).tier).toBe('gold');
    } finally {
      await setPoolVersion(stack, 'V2_0');
    }
  });

  it('signs tokens that verify against the JWKS the pool serves', async () => {
    stack.setHandlers({});
    const { email } = await confirmedUser(stack, 'jwks');
    const { IdToken } = await signIn(stack, email);
    const { keys } = (await (await fetch(`${stack.endpoints.cognito}/${stack.userPoolId}/.well-known/jwks.json`)).json()) as { keys: ({ kid: string } & Record<string, unknown>)[] };

    const [header, payload, signature] = String(IdToken).split('.') as [string, string, string];
    const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid: string; alg: string };
    const key = createPublicKey({ key: keys.find((candidate) => candidate.kid === kid)!, format: 'jwk' });

    expect(alg).toBe('RS256');
    expect(createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, signature, 'base64url')).toBe(true);
  });
});

describe('pre token generation V1 (the default)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('sends the V1 event: version "1", no scopes, claimsOverrideDetails null', async () => {
    const events: AnyPreTokenEvent[] = [];
    stack.setHandlers({
      PreTokenGeneration: async (event) => {
        events.push(structuredClone(event) as AnyPreTokenEvent);
        return event;
      },
    });
    const { email } = await confirmedUser(stack, 'v1-event');

    await signIn(stack, email);

    expect(events[0]).toMatchObject({ version: '1', region: 'us-east-1', response: { claimsOverrideDetails: null } });
    expect(events[0]?.request).not.toHaveProperty('scopes');
    expect(events[0]?.request.groupConfiguration).toEqual({ groupsToOverride: [], iamRolesToOverride: [], preferredRole: null });
  });

  it('applies claimsOverrideDetails to the ID token only; the access token keeps its claims', async () => {
    stack.setHandlers({
      PreTokenGeneration: async (event) => ({
        ...event,
        response: {
          claimsOverrideDetails: { claimsToAddOrOverride: { plan: 'pro', given_name: 'Ada L.' }, claimsToSuppress: ['email'], groupOverrideDetails: { groupsToOverride: ['beta'] } },
        },
      }),
    });
    const { email } = await confirmedUser(stack, 'v1-claims', { given_name: 'Ada' });

    const tokens = await signIn(stack, email);

    const id = claimsOf(tokens.IdToken);
    const access = claimsOf(tokens.AccessToken);
    expect(id).toMatchObject({ plan: 'pro', given_name: 'Ada L.', 'cognito:groups': ['beta'] });
    expect(id).not.toHaveProperty('email');
    expect(access).not.toHaveProperty('plan');
    expect(access['cognito:groups']).toEqual(['beta']); // group overrides reach both tokens, also in V1
  });

  it('ignores a V2-shaped response, as a V1 pool does', async () => {
    stack.setHandlers({
      PreTokenGeneration: async (event) => ({
        ...event,
        response: { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { plan: 'pro' } } } },
      }),
    });
    const { email } = await confirmedUser(stack, 'v1-wrong-shape');

    const tokens = await signIn(stack, email);

    expect(claimsOf(tokens.IdToken)).not.toHaveProperty('plan');
  });
});

describe('TokenGeneration_NewPasswordChallenge', () => {
  let stack: LocalStack;
  const sources: string[] = [];
  const temporary = 'Temp-Passw0rd!';

  beforeAll(async () => {
    stack = await startLocalStack({
      handlers: {
        PreTokenGeneration: async (event) => {
          sources.push(event.triggerSource);
          return event;
        },
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function adminCreated(tag: string): Promise<string> {
    const email = newEmail(tag);
    await stack.clients.cognito.send(
      new AdminCreateUserCommand({ UserPoolId: stack.userPoolId, Username: email, TemporaryPassword: temporary, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }] }),
    );
    return email;
  }

  it('is the source of the tokens that answer NEW_PASSWORD_REQUIRED (RespondToAuthChallenge)', async () => {
    // Prepare
    sources.length = 0;
    const email = await adminCreated('challenge');
    const challenge = await stack.clients.cognito.send(
      new InitiateAuthCommand({ ClientId: stack.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: temporary } }),
    );

    // Act
    const answered = await stack.clients.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: stack.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: PASSWORD },
      }),
    );
    await signIn(stack, email);

    // Assess
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(answered.AuthenticationResult?.IdToken).toEqual(expect.any(String));
    expect(sources).toEqual(['TokenGeneration_NewPasswordChallenge', 'TokenGeneration_Authentication']);
  });

  it('is the source through AdminInitiateAuth and AdminRespondToAuthChallenge too', async () => {
    // Prepare
    sources.length = 0;
    const email = await adminCreated('admin-challenge');
    const challenge = await stack.clients.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: stack.userPoolId,
        ClientId: stack.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: temporary },
      }),
    );

    // Act
    const answered = await stack.clients.cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: stack.userPoolId,
        ClientId: stack.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: PASSWORD },
      }),
    );

    // Assess
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(challenge.AuthenticationResult).toBeUndefined(); // cognito-local would have issued tokens here
    expect(claimsOf(answered.AuthenticationResult?.IdToken).email).toBe(email);
    expect(sources).toEqual(['TokenGeneration_NewPasswordChallenge']);
    const { UserStatus } = await stack.clients.cognito.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: email }));
    expect(UserStatus).toBe('CONFIRMED');
  });
});

describe('a failing PostConfirmation', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      handlers: {
        PostConfirmation: async () => {
          throw new Error('profile table missing');
        },
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    ['AdminConfirmSignUp', (email: string) => stack.clients.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: stack.userPoolId, Username: email }))],
    [
      'ConfirmSignUp',
      async (email: string) =>
        stack.clients.cognito.send(new ConfirmSignUpCommand({ ClientId: stack.clientId, Username: email, ConfirmationCode: await stack.readConfirmationCode(email) })),
    ],
  ])('fails %s with UserLambdaValidationException, and the user is confirmed all the same', async (_call, confirm) => {
    // Prepare
    const email = newEmail('post-confirmation');
    await stack.clients.cognito.send(new SignUpCommand({ ClientId: stack.clientId, Username: email, Password: PASSWORD }));
    stack.clearInvocations();

    // Act
    const confirming = confirm(email);

    // Assess
    await expect(confirming).rejects.toMatchObject({ name: 'UserLambdaValidationException', message: 'PostConfirmation failed with error profile table missing.' });
    const { UserStatus } = await stack.clients.cognito.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: email }));
    expect(UserStatus).toBe('CONFIRMED');
    expect(stack.invocations).toHaveLength(1); // a function error is not retried
  });

  it('fails the sign-in when PostAuthentication throws, as on AWS', async () => {
    stack.setHandlers({});
    const email = newEmail('post-authentication');
    await stack.clients.cognito.send(new SignUpCommand({ ClientId: stack.clientId, Username: email, Password: PASSWORD }));
    await stack.clients.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: stack.userPoolId, Username: email }));
    stack.setHandlers({
      PostAuthentication: async () => {
        throw new Error('account locked');
      },
    });

    const signingIn = stack.clients.cognito.send(
      new InitiateAuthCommand({ ClientId: stack.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }),
    );

    await expect(signingIn).rejects.toMatchObject({ name: 'UserLambdaValidationException', message: 'PostAuthentication failed with error account locked.' });
  });
});

describe("Cognito's time limit and retries", () => {
  // Cognito's limit is 5 s a call, 3 calls (COGNITO_TRIGGER_LIMITS, the default of
  // startLocalStack; test/local/triggerInvoker.test.ts checks the default). Here it is 300 ms
  // so that three timed-out calls take about a second.
  const limits = { timeoutMs: 300, attempts: 3 };
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStackWith({}, limits);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('calls a trigger that runs too long three times, then fails the call with UnexpectedLambdaException', async () => {
    // Prepare
    let calls = 0;
    stack.setHandlers({
      PostConfirmation: async (event) => {
        calls += 1;
        await sleep(limits.timeoutMs * 2);
        return event;
      },
    });
    const email = newEmail('slow');
    await stack.clients.cognito.send(new SignUpCommand({ ClientId: stack.clientId, Username: email, Password: PASSWORD }));

    // Act
    const confirming = stack.clients.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: stack.userPoolId, Username: email }));

    // Assess
    await expect(confirming).rejects.toMatchObject({
      name: 'UnexpectedLambdaException',
      message: 'PostConfirmation invocation failed due to error Socket timeout while invoking Lambda function.',
    });
    expect(calls).toBe(3);
  });

  it('succeeds when a retry answers in time: the handler ran twice (a duplicate delivery)', async () => {
    // Prepare: slow on the first call only, like a cold start
    const deliveries: string[] = [];
    stack.setHandlers({
      PreSignUp: async (event) => {
        deliveries.push(event.request.userAttributes.email!);
        if (deliveries.length === 1) await sleep(limits.timeoutMs * 2);
        return event;
      },
    });
    const email = newEmail('cold-start');

    // Act
    const { UserSub } = await stack.clients.cognito.send(new SignUpCommand({ ClientId: stack.clientId, Username: email, Password: PASSWORD }));

    // Assess
    expect(UserSub).toEqual(expect.any(String));
    expect(deliveries).toEqual([email, email]);
  });

  it('does not call a trigger again when it fails fast (a function error)', async () => {
    let calls = 0;
    stack.setHandlers({
      PreSignUp: async () => {
        calls += 1;
        throw new Error('not on the list');
      },
    });

    const signingUp = stack.clients.cognito.send(new SignUpCommand({ ClientId: stack.clientId, Username: newEmail('refused'), Password: PASSWORD }));

    await expect(signingUp).rejects.toMatchObject({ name: 'UserLambdaValidationException', message: 'PreSignUp failed with error not on the list.' });
    expect(calls).toBe(1);
  });
});

describe('ListUsers paging and filters', () => {
  const USERS = 130;
  let stack: LocalStack;
  let subs: string[];

  async function listAll(input: Omit<ListUsersCommandInput, 'UserPoolId'>): Promise<UserType[][]> {
    const pages: UserType[][] = [];
    let token: string | undefined;
    do {
      const page = await stack.clients.cognito.send(new ListUsersCommand({ UserPoolId: stack.userPoolId, ...input, PaginationToken: token }));
      pages.push(page.Users ?? []);
      token = page.PaginationToken;
    } while (token);
    return pages;
  }

  const attribute = (user: UserType | undefined, name: string) => user?.Attributes?.find((candidate) => candidate.Name === name)?.Value;

  beforeAll(async () => {
    stack = await startLocalStack();
    const emails = Array.from({ length: USERS }, (_, index) => `page-${String(index).padStart(3, '0')}@list.example`);
    subs = [];
    for (let start = 0; start < emails.length; start += 26) {
      const created = await Promise.all(
        emails.slice(start, start + 26).map((email) =>
          stack.clients.cognito.send(
            new AdminCreateUserCommand({
              UserPoolId: stack.userPoolId,
              Username: email,
              MessageAction: 'SUPPRESS',
              UserAttributes: [
                { Name: 'email', Value: email },
                { Name: 'name', Value: email.startsWith('page-007') ? 'Ada "The Countess" Lovelace' : 'Member' },
              ],
            }),
          ),
        ),
      );
      subs.push(...created.map(({ User }) => attribute(User, 'sub')!));
    }
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('pages 130 users with Limit 60 in three pages (60, 60, 10), each user once', async () => {
    const pages = await listAll({ Limit: 60 });

    expect(pages.map((page) => page.length)).toEqual([60, 60, 10]);
    const listed = pages.flat().map((user) => attribute(user, 'sub'));
    expect(new Set(listed).size).toBe(USERS);
    expect(new Set(listed)).toEqual(new Set(subs));
  });

  it('pages 60 users at a time without a Limit', async () => {
    const pages = await listAll({});

    expect(pages.map((page) => page.length)).toEqual([60, 60, 10]);
  });

  it('refuses a Limit over 60 with InvalidParameterException', async () => {
    const listing = stack.clients.cognito.send(new ListUsersCommand({ UserPoolId: stack.userPoolId, Limit: 61 }));

    await expect(listing).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining("Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"),
    });
  });

  it.each([
    ['sub =', () => `sub = "${subs[42]}"`, 1],
    ['email =', () => 'email = "page-042@list.example"', 1],
    ['email ^=', () => 'email ^= "page-04"', 10],
    ['= as an exact match, not a prefix', () => 'email = "page-04"', 0],
    ['username =', () => `username = "${subs[5]}"`, 1],
    ['username = (case-sensitive)', () => `username = "${subs.find((sub) => /[a-f]/.test(sub))!.toUpperCase()}"`, 0],
    ['cognito:user_status = (any case)', () => 'cognito:user_status = "force_change_password"', USERS],
    ['a quoted value with escaped quotes', () => 'name = "Ada \\"The Countess\\" Lovelace"', 1],
    ['sub ^=', () => `sub ^= "${subs[9]!.slice(0, 8)}"`, 1],
  ])('filters with %s', async (_name, filter, expected) => {
    const pages = await listAll({ Filter: filter() });

    expect(pages.flat()).toHaveLength(expected);
  });

  it('pages a filtered listing', async () => {
    const pages = await listAll({ Filter: 'email ^= "page-1"', Limit: 20 });

    expect(pages.map((page) => page.length)).toEqual([20, 10]);
    expect(pages.flat().every((user) => attribute(user, 'email')?.startsWith('page-1'))).toBe(true);
  });

  it('filters on status (Enabled or Disabled)', async () => {
    const victim = 'page-129@list.example';
    await stack.clients.cognito.send(new AdminDisableUserCommand({ UserPoolId: stack.userPoolId, Username: victim }));

    const disabled = (await listAll({ Filter: 'status = "Disabled"' })).flat();

    expect(disabled.map((user) => attribute(user, 'email'))).toEqual([victim]);
  });

  it.each([
    ['an attribute that is not searchable', 'custom:plan = "pro"', 'Invalid search attribute: custom:plan'],
    ['a filter that does not parse', 'email == page', 'Error while parsing filter'],
  ])('refuses %s with InvalidParameterException', async (_name, filter, message) => {
    const listing = stack.clients.cognito.send(new ListUsersCommand({ UserPoolId: stack.userPoolId, Filter: filter }));

    await expect(listing).rejects.toMatchObject({ name: 'InvalidParameterException', message });
  });
});
