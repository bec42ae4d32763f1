import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DeleteItemCommand, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { createAdminChangeHandler, type CognitoApiCallEvent } from '../adminChanges.js';
import { combineMappers, defaultProfile } from '../mapping.js';
import type { ReconcileReport } from '../reconcile/report.js';
import { reconcile } from '../reconcile/run.js';
import { createPostConfirmationHandler } from '../postConfirmation.js';
import { createPreTokenGenerationHandler } from '../preTokenGeneration.js';
import { buildLambdaContext } from '../testing/context.js';
import { buildCognitoApiCallEvent } from '../testing/cognitoApiCallEvent.js';
import { startLocalStack, type LocalStack } from '../local/index.js';
import type { AttributeMapper, Logger, Profile } from '../types.js';
import { sesWelcomeEmail } from '../welcome/sesWelcomeEmail.js';

/** The password every demo user signs up with. */
export const DEMO_PASSWORD = 'Demo-Passw0rd!';
/** The temporary password an admin gives the users it creates. */
export const TEMPORARY_PASSWORD = 'Temp-Passw0rd!';

/**
 * The member mapping of the AWS serverless-patterns sample: first and last name from the
 * custom attributes, else from the standard ones, plus the plan when Cognito has one.
 */
export const memberProfile: AttributeMapper = combineMappers(defaultProfile, (attributes) => {
  const fields: Profile = {};
  const firstName = attributes['custom:firstName'] ?? attributes.given_name;
  const lastName = attributes['custom:lastName'] ?? attributes.family_name;
  if (firstName !== undefined) fields.firstName = firstName;
  if (lastName !== undefined) fields.lastName = lastName;
  if (attributes['custom:plan'] !== undefined) fields.plan = attributes['custom:plan'];
  return fields;
});

/** A logger that keeps the handlers' log lines, so the story can show them. */
function keepingLogger(lines: string[]): Logger {
  const keep = (record: Record<string, unknown>) => lines.push(JSON.stringify(record));
  return { info: keep, warn: keep, error: keep };
}

const toAttributes = (attributes: Record<string, string>) =>
  Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));

/** Decodes a JWT's claims (no signature check: the local emulator signed it). */
export function jwtClaims(token: string | undefined): Record<string, unknown> {
  const payload = token?.split('.')[1];
  if (!payload) return {};
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * The library's real handlers wired into an embedded local stack, plus the user actions
 * of the story (sign-up, confirmation, password reset, admin edits), each one real API
 * call against the Cognito emulator. The pool's pre token generation trigger is V2, so
 * claims reach the access token too.
 */
export async function startDemoWorld() {
  const stack: LocalStack = await startLocalStack({ preTokenGenerationVersion: 'V2_0' });
  const logLines: string[] = [];
  const logger = keepingLogger(logLines);
  const table = { name: stack.tableName, client: stack.clients.dynamodb };
  const handlersWelcome = sesWelcomeEmail({
    client: stack.clients.ses,
    source: 'Demo Club <welcome@demo.example>',
    subject: 'Welcome to Demo Club, {{firstName|friend}}!',
    text: 'Dear {{firstName|member}}, thank you for joining Demo Club.',
    html: '<p>Dear {{firstName|member}}, thank you for joining Demo Club.</p>',
  });
  const handlers = {
    PostConfirmation: createPostConfirmationHandler({
      table,
      mapAttributes: memberProfile,
      logger,
      onWelcome: handlersWelcome,
    }),
    // The same welcome, for admin-created users at their first sign-in: one per user either way.
    PreTokenGeneration: createPreTokenGenerationHandler({
      table,
      mapAttributes: memberProfile,
      logger,
      claims: { plan: 'plan', member_since: (profile) => String(profile.createdAt ?? '').slice(0, 10) },
      accessTokenClaims: { plan: 'plan' },
      onWelcome: handlersWelcome,
    }),
  };
  stack.setHandlers(handlers);
  const adminChanges = createAdminChangeHandler({
    table,
    userPoolId: stack.userPoolId,
    cognitoClient: stack.clients.cognito,
    mapAttributes: memberProfile,
    logger,
  });
  const cognito = stack.clients.cognito;
  const { clientId, userPoolId } = stack;

  /** An admin creates the user with a temporary password; no PostConfirmation fires. */
  async function adminCreate(email: string, attributes: Record<string, string> = {}): Promise<string> {
    const { User } = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        TemporaryPassword: TEMPORARY_PASSWORD,
        MessageAction: 'SUPPRESS',
        UserAttributes: toAttributes({ email, email_verified: 'true', ...attributes }),
      }),
    );
    const sub = User?.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    if (!sub) throw new Error(`AdminCreateUser returned no sub for ${email}`);
    return sub;
  }
  /** Signs in with the temporary password: Cognito answers with the `NEW_PASSWORD_REQUIRED` challenge. */
  async function startFirstSignIn(email: string) {
    const { ChallengeName, Session } = await cognito.send(
      new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: TEMPORARY_PASSWORD } }),
    );
    return { challenge: ChallengeName, session: Session };
  }
  /** Answers the challenge with a new password: the tokens come from `TokenGeneration_NewPasswordChallenge`. */
  async function completeNewPassword(email: string, session: string | undefined) {
    const { AuthenticationResult } = await cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: DEMO_PASSWORD },
      }),
    );
    return { idToken: AuthenticationResult?.IdToken, accessToken: AuthenticationResult?.AccessToken };
  }

  /** Handler calls made here rather than by Cognito through the Invoke endpoint. */
  let directCalls = 0;

  return {
    stack,
    handlers,
    logLines,
    /** How many times the handlers ran, through Cognito or directly. */
    handlerRuns: () => stack.invocations.length + directCalls,
    /** Delivers a PostConfirmation event again, as Cognito does when it retries. */
    async deliverAgain(event: PostConfirmationTriggerEvent) {
      directCalls += 1;
      return handlers.PostConfirmation(structuredClone(event), buildLambdaContext());
    },
    /** A reconcile run over the pool, with the handlers' mapper and welcome. */
    async reconcile(): Promise<ReconcileReport> {
      return reconcile({ userPoolId, table, cognitoClient: cognito, mapAttributes: memberProfile, onWelcome: handlersWelcome });
    },
    /** Hands a CloudTrail event to the admin-change handler, as EventBridge does. */
    async adminChange(event: CognitoApiCallEvent) {
      directCalls += 1;
      return adminChanges(event);
    },
    async signUp(email: string, attributes: Record<string, string> = {}): Promise<string> {
      const { UserSub } = await cognito.send(
        new SignUpCommand({ ClientId: clientId, Username: email, Password: DEMO_PASSWORD, UserAttributes: toAttributes({ email, ...attributes }) }),
      );
      if (!UserSub) throw new Error(`SignUp returned no sub for ${email}`);
      return UserSub;
    },
    async confirmWithCode(email: string): Promise<void> {
      const code = await stack.readConfirmationCode(email);
      await cognito.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: code }));
    },
    async adminConfirm(email: string): Promise<void> {
      await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));
    },
    async resetPassword(email: string, newPassword: string): Promise<void> {
      await cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: email }));
      const code = await stack.readConfirmationCode(email);
      await cognito.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: email, ConfirmationCode: code, Password: newPassword }));
    },
    adminCreate,
    startFirstSignIn,
    completeNewPassword,
    /** An admin creates the user (no PostConfirmation fires), who then signs in for the first time. */
    async adminCreateAndFirstSignIn(email: string, attributes: Record<string, string> = {}) {
      const sub = await adminCreate(email, attributes);
      const { challenge, session } = await startFirstSignIn(email);
      return { sub, challenge, ...(await completeNewPassword(email, session)) };
    },
    async signIn(email: string, password = DEMO_PASSWORD) {
      const { AuthenticationResult } = await cognito.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
      );
      return { idToken: AuthenticationResult?.IdToken, accessToken: AuthenticationResult?.AccessToken };
    },
    async adminUpdate(email: string, attributes: Record<string, string>): Promise<void> {
      await cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: toAttributes(attributes) }));
    },
    async adminDelete(email: string): Promise<void> {
      await cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }));
    },
    /** The CloudTrail event EventBridge would deliver for an admin API call (values redacted). */
    cloudTrailEvent(eventName: string, sub: string) {
      return buildCognitoApiCallEvent({ eventName, sub, userPoolId });
    },
    async row(sub: string): Promise<Profile | undefined> {
      const { Item } = await stack.clients.dynamodb.send(
        new GetItemCommand({ TableName: stack.tableName, Key: marshall({ [stack.partitionKey]: sub }), ConsistentRead: true }),
      );
      return Item ? unmarshall(Item) : undefined;
    },
    async rows(): Promise<Profile[]> {
      const { Items = [] } = await stack.clients.dynamodb.send(new ScanCommand({ TableName: stack.tableName }));
      return Items.map((item) => unmarshall(item));
    },
    async deleteRow(sub: string): Promise<void> {
      await stack.clients.dynamodb.send(new DeleteItemCommand({ TableName: stack.tableName, Key: marshall({ [stack.partitionKey]: sub }) }));
    },
    mails: () => stack.listSentMail(),
    /** The mail sent to one address. */
    async mailsTo(email: string) {
      return (await stack.listSentMail()).filter((mail) => mail.destination.to.includes(email));
    },
    stop: () => stack.stop(),
  };
}

/** The world the demo and the end-to-end tests act in. */
export type DemoWorld = Awaited<ReturnType<typeof startDemoWorld>>;
