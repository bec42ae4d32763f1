import { CognitoIdentityProviderClient, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPostConfirmationHandler,
  createPreTokenGenerationHandler,
  ProfileWriteError,
  reconcile,
  type Profile,
  type ReconcileOptions,
} from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { dynamoThrottle, startFaultProxy, type FaultProxy } from '../reliability/support/faultProxy.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { serveUsers } from '../support/listUsers.js';
import { recordingLogger } from '../support/logger.js';

/*
 * The welcome's five states on a real dynalite row, and what a delivery and reconcile do
 * with each under both delivery policies. Cognito's ListUsers is mocked (see
 * test/support/listUsers.ts).
 */
const POOL = 'eu-west-1_Pool123';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const cognitoClient = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials });
const cognito = mockClient(cognitoClient);
let dynamo: TestDynamo;
let table: string;
let tables = 0;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  await dynamo?.stop();
});
beforeEach(async () => {
  cognito.reset();
  table = `welcome-${++tables}`;
  await dynamo.createTable(table);
});

function cognitoUser(sub: string, createdAt: Date): UserType {
  return {
    Username: `member-${sub.slice(0, 8)}`,
    UserStatus: 'CONFIRMED',
    Enabled: true,
    UserCreateDate: createdAt,
    Attributes: [
      { Name: 'sub', Value: sub },
      { Name: 'email', Value: `member-${sub.slice(0, 8)}@example.com` },
    ],
  };
}

function countingWelcome() {
  const sent: string[] = [];
  return { sent, onWelcome: async (profile: Profile) => void sent.push(profile.userId as string) };
}

const reconcileOptions = (extra: Partial<ReconcileOptions>): ReconcileOptions =>
  ({
    userPoolId: POOL,
    table: { name: table, client: dynamo.client },
    cognitoClient,
    backoff: { attempts: 3, baseMs: 1, maxMs: 5 },
    ...extra,
  }) as ReconcileOptions;

describe('each welcome state, under each delivery policy', () => {
  const seeds: Record<string, () => Record<string, unknown>> = {
    none: () => ({}),
    claimed: () => ({ welcomeClaimId: 'live-delivery', welcomeClaimExpiresAt: Date.now() + 60_000 }),
    failed: () => ({ welcomeFailedAt: new Date(Date.now() - 1000).toISOString() }),
    unknown: () => ({ welcomeClaimId: 'dead-delivery', welcomeClaimExpiresAt: Date.now() - 1 }),
    sent: () => ({ welcomeSentAt: new Date(Date.now() - 1000).toISOString() }),
  };

  async function seedRow(state: string): Promise<{ sub: string; item: Record<string, unknown> }> {
    const sub = randomUUID();
    const item = { userId: sub, email: `member-${sub.slice(0, 8)}@example.com`, ...seeds[state]!() };
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall(item) }));
    return { sub, item };
  }

  // state, policy, whether a redelivery of the confirmation sends
  it.each([
    ['none', 'at-most-once', true],
    ['claimed', 'at-most-once', false],
    ['failed', 'at-most-once', true],
    ['unknown', 'at-most-once', false],
    ['sent', 'at-most-once', false],
    ['none', 'at-least-once', true],
    ['claimed', 'at-least-once', false],
    ['failed', 'at-least-once', true],
    ['unknown', 'at-least-once', true],
    ['sent', 'at-least-once', false],
  ] as const)('a redelivery finding a %s welcome, %s: sends %s', async (state, welcomeDelivery, sends) => {
    // Prepare
    const { sub, item } = await seedRow(state);
    const { sent, onWelcome } = countingWelcome();
    const logger = recordingLogger();
    const handler = createPostConfirmationHandler({ table: { name: table, client: dynamo.client }, onWelcome, welcomeDelivery, logger });

    // Act
    await handler(buildPostConfirmationEvent({ sub }), buildLambdaContext());

    // Assess
    expect(sent).toEqual(sends ? [sub] : []);
    expect(logger.records.map(({ record }) => `${record.outcome}/${record.welcome}`)).toEqual([`exists/${sends ? 'sent' : 'skipped'}`]);
    const row = await dynamo.getItem(table, { userId: sub });
    if (sends) {
      expect(row).toMatchObject({ welcomeSentAt: expect.any(String) });
      expect(Object.keys(row!).filter((key) => /^welcome(Claim|Failed)/.test(key))).toEqual([]);
    } else {
      expect(row).toEqual(item); // untouched
    }
  });

  // state, policy, what reconcile does (the user joined before any cutoff)
  it.each([
    ['none', 'at-most-once', 'nothing'],
    ['claimed', 'at-most-once', 'nothing'],
    ['failed', 'at-most-once', 'sent'],
    ['unknown', 'at-most-once', 'unknown'],
    ['sent', 'at-most-once', 'nothing'],
    ['none', 'at-least-once', 'nothing'],
    ['claimed', 'at-least-once', 'nothing'],
    ['failed', 'at-least-once', 'sent'],
    ['unknown', 'at-least-once', 'sent'],
    ['sent', 'at-least-once', 'nothing'],
  ] as const)('reconcile finding a %s welcome, %s: %s', async (state, welcomeDelivery, expected) => {
    // Prepare
    const { sub } = await seedRow(state);
    serveUsers(cognito, [cognitoUser(sub, new Date('2026-01-01T00:00:00Z'))]);
    const { sent, onWelcome } = countingWelcome();

    // Act
    const dry = await reconcile(reconcileOptions({ onWelcome, welcomeDelivery, dryRun: true }));
    const report = await reconcile(reconcileOptions({ onWelcome, welcomeDelivery }));
    const again = await reconcile(reconcileOptions({ onWelcome, welcomeDelivery }));

    // Assess
    const none = { sent: 0, failed: 0, pending: 0, unknown: 0 };
    const unknown = expected === 'unknown' ? { unknown: 1 } : {};
    expect(dry.welcomes).toEqual({ ...none, ...unknown, ...(expected === 'sent' && { pending: 1 }) });
    expect(report.welcomes).toEqual({ ...none, ...unknown, ...(expected === 'sent' && { sent: 1 }) });
    expect(report.ids.unknownWelcomes).toEqual(expected === 'unknown' ? [sub] : []);
    expect(again.welcomes).toEqual({ ...none, ...unknown });
    expect(sent).toEqual(expected === 'sent' ? [sub] : []);
  });
});

describe('a confirmation whose write failed, and a sign-in that made the row', () => {
  it('gets its welcome from reconcile when the user joined after welcomeUsersCreatedAfter, once', async () => {
    // Prepare: PostConfirmation's create is throttled past the SDK's retries
    const throttled = await startFaultProxy(dynamo.endpoint, (operation) => (operation === 'PutItem' ? dynamoThrottle : undefined));
    proxies.push(throttled);
    const { sent, onWelcome } = countingWelcome();
    const confirm = createPostConfirmationHandler({
      table: { name: table, clientConfig: { endpoint: throttled.endpoint, region: 'us-east-1', credentials } },
      onWelcome,
      logger: recordingLogger(),
    });
    const signIn = createPreTokenGenerationHandler({ table: { name: table, client: dynamo.client }, logger: recordingLogger() });
    const joined = randomUUID();
    const earlier = randomUUID();
    const attributes = (sub: string) => ({ email: `member-${sub.slice(0, 8)}@example.com` });

    // Act: the confirmation fails, then the user signs in; a user from before the cutoff signs in too
    const confirmation = await confirm(buildPostConfirmationEvent({ sub: joined, userAttributes: attributes(joined) }), buildLambdaContext()).catch(
      (error: unknown) => error,
    );
    await signIn(buildPreTokenGenerationEvent({ sub: joined, userAttributes: attributes(joined) }), buildLambdaContext());
    await signIn(buildPreTokenGenerationEvent({ sub: earlier, userAttributes: attributes(earlier) }), buildLambdaContext());
    const signedIn = await dynamo.getItem(table, { userId: joined });
    serveUsers(cognito, [cognitoUser(joined, new Date('2026-06-01T00:00:00Z')), cognitoUser(earlier, new Date('2026-01-01T00:00:00Z'))]);
    const options = reconcileOptions({ onWelcome, welcomeUsersCreatedAfter: new Date('2026-03-01T00:00:00Z') });
    const dry = await reconcile({ ...options, dryRun: true });
    const first = await reconcile(options);
    const second = await reconcile(options);

    // Assess
    expect(confirmation).toBeInstanceOf(ProfileWriteError);
    expect(signedIn).toMatchObject({ userId: joined, lastLoginAt: expect.any(String) });
    expect(Object.keys(signedIn!).filter((key) => key.startsWith('welcome'))).toEqual([]);
    expect(dry.welcomes).toEqual({ sent: 0, failed: 0, pending: 1, unknown: 0 });
    expect(first.welcomes).toEqual({ sent: 1, failed: 0, pending: 0, unknown: 0 });
    expect(second.welcomes).toEqual({ sent: 0, failed: 0, pending: 0, unknown: 0 });
    expect(sent).toEqual([joined]);
    expect(await dynamo.getItem(table, { userId: joined })).toMatchObject({ welcomeSentAt: expect.any(String) });
    expect(await dynamo.getItem(table, { userId: earlier })).not.toHaveProperty('welcomeSentAt');
  });
});

describe("reconcile's send budget", () => {
  it('stops waiting for a send after welcomeDeadlineMs and keeps the claim, so the welcome becomes unknown, not failed', async () => {
    // Prepare: a failed welcome, and a sender that never settles
    const sub = randomUUID();
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: sub, welcomeFailedAt: new Date().toISOString() }) }));
    serveUsers(cognito, [cognitoUser(sub, new Date('2026-01-01T00:00:00Z'))]);
    let sends = 0;
    const onWelcome = () => {
      sends += 1;
      return new Promise(() => undefined);
    };

    // Act
    // With the default 60 s lease: only welcomeDeadlineMs ends the wait within the test's time
    const report = await reconcile(reconcileOptions({ onWelcome, welcomeDeadlineMs: 300 }));
    const row = await dynamo.getItem(table, { userId: sub });

    // Assess
    expect(sends).toBe(1);
    expect(report.welcomes).toEqual({ sent: 0, failed: 1, pending: 0, unknown: 0 });
    expect(row).toMatchObject({ welcomeClaimId: expect.any(String), welcomeClaimExpiresAt: expect.any(Number) });
    expect(row).not.toHaveProperty('welcomeFailedAt');
  });
});
