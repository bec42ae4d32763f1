import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { PostConfirmationTriggerEvent, PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  asWelcome,
  createPostConfirmationHandler,
  createPreTokenGenerationHandler,
  DeadlineExceededError,
  reconcile,
  type PreTokenGenerationOptions,
  type Profile,
  type WelcomeContext,
} from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { startFaultProxy, type FaultProxy } from '../reliability/support/faultProxy.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { serveUsers } from '../support/listUsers.js';
import { recordingLogger } from '../support/logger.js';

/*
 * The once-only welcome at sign-in on a real dynalite row: the orderings of the protocol
 * (a failed send, an unknown one, the deadline, concurrent first sign-ins) as a
 * PreTokenGeneration handler meets them. Cognito's ListUsers is mocked for reconcile.
 */
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const FIRST_SIGN_IN = 'TokenGeneration_NewPasswordChallenge' as const;
const SIGN_IN = 'TokenGeneration_Authentication' as const;
let dynamo: TestDynamo;
let counter: FaultProxy;
let table: string;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  // Forwards everything; it only counts the DynamoDB calls.
  counter = await startFaultProxy(dynamo.endpoint, () => undefined);
});
afterAll(async () => {
  await counter?.stop();
  await dynamo?.stop();
});
beforeEach(async () => {
  table = `signin-welcome-${++tables}`;
  await dynamo.createTable(table);
  counter.requests.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

/** A sender that records each welcome and what it was given; `fail` makes the next sends throw. */
function recordingWelcome() {
  const sent: { sub: string; profile: Profile; context: WelcomeContext }[] = [];
  const state = { failures: 0 };
  const onWelcome = async (profile: Profile, context: WelcomeContext) => {
    if (state.failures > 0) {
      state.failures -= 1;
      throw new Error('SES is down');
    }
    sent.push({ sub: context.sub, profile, context });
  };
  return { sent, state, onWelcome };
}

function signInHandler(options: Partial<PreTokenGenerationOptions> = {}) {
  const logger = recordingLogger();
  const handler = createPreTokenGenerationHandler({
    table: { name: table, clientConfig: { endpoint: counter.endpoint, region: 'us-east-1', credentials } },
    logger,
    ...options,
  });
  return { handler, logger };
}

type SignInSource = PreTokenGenerationTriggerEvent['triggerSource'];

const signIn = (sub: string, triggerSource: SignInSource = FIRST_SIGN_IN, extra: Record<string, unknown> = {}) =>
  buildPreTokenGenerationEvent({ sub, triggerSource, userAttributes: { email: `member-${sub.slice(0, 8)}@example.com`, given_name: 'Ada' }, ...extra });

const welcomeState = (row: Record<string, unknown> | undefined) =>
  Object.fromEntries(Object.entries(row ?? {}).filter(([field]) => field.startsWith('welcome')));

describe('the welcome at an admin-created user\'s first sign-in', () => {
  it('is claimed by the sync\'s own write and sent once; later sign-ins send none', async () => {
    // Prepare
    const { sent, onWelcome } = recordingWelcome();
    const { handler, logger } = signInHandler({ onWelcome, claims: { given: 'givenName' } });
    const sub = randomUUID();

    // Act
    const first = await handler(signIn(sub, FIRST_SIGN_IN, { userName: 'ada', clientId: 'app-client-1' }), buildLambdaContext());
    const firstCalls = counter.requests.map(({ operation }) => operation);
    counter.requests.length = 0;
    await handler(signIn(sub, FIRST_SIGN_IN), buildLambdaContext());
    const againCalls = counter.requests.map(({ operation }) => operation);
    counter.requests.length = 0;
    await handler(signIn(sub, SIGN_IN), buildLambdaContext());
    const laterCalls = counter.requests.map(({ operation }) => operation);

    // Assess: one welcome, given the stored profile and a confirmation built from the sign-in
    expect(sent.map((welcome) => welcome.sub)).toEqual([sub]);
    const [{ profile, context }] = sent as [(typeof sent)[number]];
    expect(profile).toMatchObject({ userId: sub, givenName: 'Ada', lastLoginAt: expect.any(String), createdAt: expect.any(String) });
    expect(Object.keys(profile).filter((field) => field.startsWith('welcome'))).toEqual([]);
    expect(context.event).toEqual({
      version: '1',
      region: 'us-east-1',
      userPoolId: 'us-east-1_EXAMPLE01',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      userName: 'ada',
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'app-client-1' },
      request: { userAttributes: expect.objectContaining({ sub, given_name: 'Ada' }) },
      response: {},
    });
    expect((first.response as any).claimsOverrideDetails.claimsToAddOrOverride).toEqual({ given: 'Ada' });
    // The claim rode on the sync's UpdateItem: one write, the send, the sent marker
    expect(firstCalls).toEqual(['UpdateItem', 'UpdateItem']);
    // A repeated first-sign-in source finds the welcome sent: its claim fails, the sync is written alone
    expect(againCalls).toEqual(['UpdateItem', 'UpdateItem']);
    // Any other sign-in is the one write it always was
    expect(laterCalls).toEqual(['UpdateItem']);
    expect(welcomeState(await dynamo.getItem(table, { userId: sub }))).toEqual({ welcomeSentAt: expect.any(String) });
    expect(logger.records.map(({ level, record }) => `${level} ${record.outcome}/${record.welcome}`)).toEqual([
      'info created/sent',
      'info updated/skipped',
      'info updated/off',
    ]);
  });

  it('runs a PostConfirmation handler made the welcome step with asWelcome', async () => {
    // Prepare: the team's Day10 handler, which reads the confirmation event
    const greeted: string[] = [];
    const day10 = async (event: PostConfirmationTriggerEvent) => {
      if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
      greeted.push(event.request.userAttributes.email!);
      return event;
    };
    const { handler } = signInHandler({ onWelcome: asWelcome(day10) });
    const sub = randomUUID();

    // Act
    await handler(signIn(sub), buildLambdaContext());
    await handler(signIn(sub), buildLambdaContext());

    // Assess
    expect(greeted).toEqual([`member-${sub.slice(0, 8)}@example.com`]);
  });

  it('sends none to a user who existed before the library and signs in as usual', async () => {
    const { sent, onWelcome } = recordingWelcome();
    const { handler } = signInHandler({ onWelcome });
    const sub = randomUUID();

    await handler(signIn(sub, SIGN_IN), buildLambdaContext());
    await handler(signIn(sub, 'TokenGeneration_HostedAuth'), buildLambdaContext());

    expect(sent).toEqual([]);
    const row = await dynamo.getItem(table, { userId: sub });
    expect(row).toMatchObject({ userId: sub, lastLoginAt: expect.any(String) });
    expect(welcomeState(row)).toEqual({});
  });

  it('sends none on top of the welcome PostConfirmation sent, whatever the sources', async () => {
    // Prepare: a self-signed-up user, welcomed at confirmation
    const { sent, onWelcome } = recordingWelcome();
    const confirm = createPostConfirmationHandler({ table: { name: table, client: dynamo.client }, onWelcome, logger: recordingLogger() });
    const { handler } = signInHandler({ onWelcome, welcomeSources: [FIRST_SIGN_IN, SIGN_IN, 'TokenGeneration_HostedAuth'] });
    const sub = randomUUID();

    // Act
    await confirm(buildPostConfirmationEvent({ sub }), buildLambdaContext());
    for (const source of [SIGN_IN, FIRST_SIGN_IN, 'TokenGeneration_HostedAuth', SIGN_IN] as const) {
      await handler(signIn(sub, source), buildLambdaContext());
    }

    // Assess
    expect(sent.map((welcome) => welcome.sub)).toEqual([sub]);
  });

  it('never writes onto a deleted user\'s tombstone, nor claims a welcome there', async () => {
    const { sent, onWelcome } = recordingWelcome();
    const { handler } = signInHandler({ onWelcome });
    const sub = randomUUID();
    const tombstone = { userId: sub, deletedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall(tombstone) }));

    await handler(signIn(sub), buildLambdaContext());

    expect(sent).toEqual([]);
    expect(await dynamo.getItem(table, { userId: sub })).toEqual(tombstone);
  });
});

describe('each welcome state at a first sign-in, under each delivery policy', () => {
  const seeds: Record<string, () => Record<string, unknown>> = {
    none: () => ({}),
    claimed: () => ({ welcomeClaimId: 'live-delivery', welcomeClaimExpiresAt: Date.now() + 60_000 }),
    failed: () => ({ welcomeFailedAt: new Date(Date.now() - 1000).toISOString() }),
    unknown: () => ({ welcomeClaimId: 'dead-delivery', welcomeClaimExpiresAt: Date.now() - 1 }),
    sent: () => ({ welcomeSentAt: new Date(Date.now() - 1000).toISOString() }),
  };

  // state, policy, whether the sign-in sends
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
  ] as const)('a row whose welcome is %s, %s: sends %s, and the sync is written either way', async (state, welcomeDelivery, sends) => {
    // Prepare
    const sub = randomUUID();
    const seeded = seeds[state]!();
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall({ userId: sub, plan: 'gold', ...seeded }) }));
    const { sent, onWelcome } = recordingWelcome();
    const { handler, logger } = signInHandler({ onWelcome, welcomeDelivery });

    // Act
    await handler(signIn(sub), buildLambdaContext());

    // Assess
    expect(sent.map((welcome) => welcome.sub)).toEqual(sends ? [sub] : []);
    expect(logger.records.map(({ record }) => record.welcome)).toEqual([sends ? 'sent' : 'skipped']);
    const row = await dynamo.getItem(table, { userId: sub });
    expect(row).toMatchObject({ plan: 'gold', givenName: 'Ada', lastLoginAt: expect.any(String) });
    expect(welcomeState(row)).toEqual(sends ? { welcomeSentAt: expect.any(String) } : seeded);
  });
});

describe('the orderings of a welcome at sign-in', () => {
  it('a welcome that failed at sign-in is logged, never fails the sign-in, and is sent by the next first sign-in', async () => {
    // Prepare: SES fails once; failOpen is off, so only the welcome could be lenient here
    const { sent, state, onWelcome } = recordingWelcome();
    state.failures = 1;
    const { handler, logger } = signInHandler({ onWelcome, failOpen: false });
    const sub = randomUUID();
    const event = signIn(sub);

    // Act
    const result = await handler(event, buildLambdaContext());
    const afterFailure = await dynamo.getItem(table, { userId: sub });
    await handler(signIn(sub, SIGN_IN), buildLambdaContext());
    const afterSignIn = await dynamo.getItem(table, { userId: sub });
    await handler(signIn(sub), buildLambdaContext());

    // Assess
    expect(result).toBe(event);
    expect(welcomeState(afterFailure)).toEqual({ welcomeFailedAt: expect.any(String) });
    expect(welcomeState(afterSignIn)).toEqual(welcomeState(afterFailure)); // not a welcome source
    expect(sent.map((welcome) => welcome.sub)).toEqual([sub]);
    expect(welcomeState(await dynamo.getItem(table, { userId: sub }))).toEqual({ welcomeSentAt: expect.any(String) });
    expect(logger.records.map(({ level, record }) => [level, record.welcome, (record.welcomeError as { name?: string } | undefined)?.name])).toEqual([
      ['warn', 'failed', 'Error'],
      ['info', 'off', undefined],
      ['info', 'sent', undefined],
    ]);
    expect(logger.text()).not.toContain('@example.com');
  });

  it('a welcome that failed at sign-in is sent by reconcile, once', async () => {
    // Prepare
    const { sent, state, onWelcome } = recordingWelcome();
    state.failures = 1;
    const { handler } = signInHandler({ onWelcome });
    const sub = randomUUID();
    await handler(signIn(sub), buildLambdaContext());
    const cognitoClient = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials });
    const cognito = mockClient(cognitoClient);
    serveUsers(cognito, [
      { Username: 'ada', UserStatus: 'CONFIRMED', Enabled: true, UserCreateDate: new Date(), Attributes: [{ Name: 'sub', Value: sub }] },
    ]);
    const options = { userPoolId: 'us-east-1_EXAMPLE01', table: { name: table, client: dynamo.client }, cognitoClient, onWelcome };

    // Act
    const first = await reconcile(options);
    const second = await reconcile(options);

    // Assess
    expect(first.welcomes).toMatchObject({ sent: 1, failed: 0 });
    expect(second.welcomes).toMatchObject({ sent: 0, failed: 0 });
    expect(sent.map((welcome) => welcome.sub)).toEqual([sub]);
    cognito.restore();
  });

  it.each([
    ['at-most-once', false],
    ['at-least-once', true],
  ] as const)(
    'a send cut off by the deadline leaves the sign-in on time and the welcome unknown; %s, a first sign-in after the lease sends %s',
    async (welcomeDelivery, sendsAgain) => {
      // Prepare: a sender that never settles, a short deadline; Date is faked to pass the lease
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      const signals: AbortSignal[] = [];
      let hanging = true;
      const { sent, onWelcome: record } = recordingWelcome();
      const onWelcome = (profile: Profile, context: WelcomeContext) => {
        if (!hanging) return record(profile, context);
        signals.push(context.signal);
        return new Promise(() => undefined);
      };
      const { handler, logger } = signInHandler({ onWelcome, welcomeDelivery, deadlineMs: 400, welcomeLeaseMs: 1000, failOpen: false, claims: { given: 'givenName' } });
      const sub = randomUUID();

      // Act
      const result = await handler(signIn(sub), buildLambdaContext());
      const afterDeadline = await dynamo.getItem(table, { userId: sub });
      hanging = false;
      vi.setSystemTime(Date.now() + 2000); // the lease is over: the welcome is unknown
      await handler(signIn(sub), buildLambdaContext());

      // Assess: the sign-in got its claims; the send was told to stop
      expect((result.response as any).claimsOverrideDetails.claimsToAddOrOverride).toEqual({ given: 'Ada' });
      expect(signals).toHaveLength(1);
      expect(signals[0]!.aborted).toBe(true);
      expect(signals[0]!.reason).toBeInstanceOf(DeadlineExceededError);
      expect(welcomeState(afterDeadline)).toEqual({ welcomeClaimId: expect.any(String), welcomeClaimExpiresAt: expect.any(Number) });
      expect(logger.records[0]).toMatchObject({ level: 'warn', record: { outcome: 'created', welcome: 'failed', welcomeError: { name: 'DeadlineExceededError' } } });
      expect(sent.map((welcome) => welcome.sub)).toEqual(sendsAgain ? [sub] : []);
      expect(logger.records[1]!.record.welcome).toBe(sendsAgain ? 'sent' : 'skipped');
    },
  );

  it('two concurrent first sign-ins (two devices, or Cognito calling a slow trigger again) send one welcome', async () => {
    // Prepare: two Lambda instances, and a send slow enough for the second to arrive meanwhile
    const sent: string[] = [];
    const onWelcome = async (_profile: Profile, { sub }: WelcomeContext) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      sent.push(sub);
    };
    const one = signInHandler({ onWelcome });
    const other = signInHandler({ onWelcome });
    const subs = [randomUUID(), randomUUID(), randomUUID()];

    // Act
    await Promise.all(subs.flatMap((sub) => [one.handler(signIn(sub), buildLambdaContext()), other.handler(signIn(sub), buildLambdaContext())]));

    // Assess
    expect(sent.sort()).toEqual([...subs].sort());
    const outcomes = [...one.logger.records, ...other.logger.records].map(({ record }) => record.welcome);
    expect(outcomes.filter((outcome) => outcome === 'sent')).toHaveLength(subs.length);
    expect(outcomes.filter((outcome) => outcome === 'skipped')).toHaveLength(subs.length);
    for (const sub of subs) expect(welcomeState(await dynamo.getItem(table, { userId: sub }))).toEqual({ welcomeSentAt: expect.any(String) });
  });
});
