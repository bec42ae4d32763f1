import { CognitoIdentityProviderClient, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPostConfirmationHandler,
  createPreTokenGenerationHandler,
  DeadlineExceededError,
  isDeadlineExceededError,
  isProfileWriteError,
  ProfileWriteError,
  reconcile,
  sesWelcomeEmail,
  type Profile,
  type ProfileSyncOptions,
} from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { serveUsers } from '../support/listUsers.js';
import { recordingLogger } from '../support/logger.js';
import { startSes, type TestSes } from '../support/ses.js';
import { dynamoThrottle, sesError, startFaultProxy, type FaultProxy, type FaultResponse } from './support/faultProxy.js';
import { startSilentServer, type SilentServer } from './support/silentServer.js';

/*
 * Faults on the wire: a proxy in front of the real emulators answers chosen requests with
 * the errors AWS sends, so the SDK's own parsing and retry strategy run as in production.
 */
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
/** Cognito gives up on a trigger after about 5 s. */
const COGNITO_TIMEOUT_MS = 5000;

/** Cognito's ListUsers for reconcile, mocked: no emulator serves it on demand. */
const cognitoClient = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials });
const cognito = mockClient(cognitoClient);

let dynamo: TestDynamo;
let ses: TestSes;
let tables = 0;
let table: string;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  [dynamo, ses] = await Promise.all([startDynalite(), startSes()]);
});
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  await Promise.all([dynamo?.stop(), ses?.stop()]);
});
beforeEach(async () => {
  cognito.reset();
  table = `faults-${++tables}`;
  await dynamo.createTable(table);
});

async function proxy(target: string, faultFor: (operation: string, index: number, body: string) => FaultResponse | undefined) {
  const started = await startFaultProxy(target, faultFor);
  proxies.push(started);
  return started;
}

function confirmation() {
  const email = `fault-${Math.random().toString(36).slice(2, 10)}@example.com`;
  return buildPostConfirmationEvent({ userName: email, userAttributes: { email, given_name: 'Ada' } });
}

/** A claim blocks other deliveries while its lease runs; a released one may be removed or expired. */
function hasLiveClaim(row: Record<string, unknown> | undefined): boolean {
  return typeof row?.welcomeClaimId === 'string' && Number(row.welcomeClaimExpiresAt) > Date.now();
}

/** The confirmed user as ListUsers lists them, for reconcile. */
function listedUser(event: PostConfirmationTriggerEvent): UserType {
  const attributes = event.request.userAttributes;
  return {
    Username: event.userName,
    UserStatus: 'CONFIRMED',
    Enabled: true,
    UserCreateDate: new Date(),
    Attributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  };
}

function countingWelcome() {
  const calls: string[] = [];
  return { calls, onWelcome: async (profile: Profile) => void calls.push(profile.userId as string) };
}

/** A handler whose DynamoDB client the library builds, as in production, aimed at `endpoint`. */
function handlerVia(endpoint: string, options: Partial<ProfileSyncOptions> = {}) {
  const logger = recordingLogger();
  const handler = createPostConfirmationHandler({
    table: { name: table, clientConfig: { endpoint, region: 'us-east-1', credentials } },
    logger,
    ...options,
  });
  return { handler, logger };
}

describe('DynamoDB throttling on the wire', () => {
  it('rides out throttling of the first two requests with the SDK retries and creates the row once', async () => {
    // Prepare
    const throttled = await proxy(dynamo.endpoint, (_operation, index) => (index < 2 ? dynamoThrottle : undefined));
    const { calls, onWelcome } = countingWelcome();
    const { handler, logger } = handlerVia(throttled.endpoint, { onWelcome });
    const event = confirmation();
    const sub = event.request.userAttributes.sub!;

    // Act
    await handler(structuredClone(event), buildLambdaContext());

    // Assess
    expect(throttled.requests).toEqual([
      { operation: 'PutItem', faulted: true },
      { operation: 'PutItem', faulted: true },
      { operation: 'PutItem', faulted: false },
      { operation: 'UpdateItem', faulted: false },
    ]);
    expect(await dynamo.getItem(table, { userId: sub })).toMatchObject({ userId: sub, welcomeSentAt: expect.any(String) });
    expect(calls).toEqual([sub]);
    expect(logger.records.map(({ record }) => `${record.outcome}/${record.welcome}`)).toEqual(['created/sent']);
    expect(logger.text()).not.toContain(event.request.userAttributes.email);
  });

  it('rejects with ProfileWriteError when throttling outlasts the retries; the redelivery creates the row and welcomes once', async () => {
    // Prepare: the library's client makes 3 attempts; all three of the first delivery are throttled
    const throttled = await proxy(dynamo.endpoint, (_operation, index) => (index < 3 ? dynamoThrottle : undefined));
    const { calls, onWelcome } = countingWelcome();
    const { handler, logger } = handlerVia(throttled.endpoint, { onWelcome });
    const event = confirmation();
    const sub = event.request.userAttributes.sub!;

    // Act
    const first = await handler(structuredClone(event), buildLambdaContext()).catch((error: unknown) => error);
    const afterFirst = await dynamo.getItem(table, { userId: sub });
    await handler(structuredClone(event), buildLambdaContext());
    await handler(structuredClone(event), buildLambdaContext());

    // Assess
    expect(first).toBeInstanceOf(ProfileWriteError);
    expect((first as ProfileWriteError).cause).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(afterFirst).toBeUndefined();
    expect(calls).toEqual([sub]);
    expect(await dynamo.scan(table)).toHaveLength(1);
    expect(logger.records.map(({ record }) => `${record.outcome}/${record.welcome}`)).toEqual([
      'failed/off',
      'created/sent',
      'exists/skipped',
    ]);
    expect(logger.records[0]).toMatchObject({
      level: 'error',
      record: { error: { name: 'ProfileWriteError', cause: 'ProvisionedThroughputExceededException' } },
    });
    expect(logger.text()).not.toContain(event.request.userAttributes.email);
  });

  it('does not welcome twice when recording the sent welcome is throttled past the retries, within the lease or after it', async () => {
    // Prepare: every UpdateItem of the first delivery (the "sent" marker) is throttled; the
    // lease is short (it must still outlast the 4.5 s deadline) so that it ends in the test
    let throttleUpdates = true;
    const throttled = await proxy(dynamo.endpoint, (operation) =>
      throttleUpdates && operation === 'UpdateItem' ? dynamoThrottle : undefined,
    );
    const { calls, onWelcome } = countingWelcome();
    const { handler, logger } = handlerVia(throttled.endpoint, { onWelcome, welcomeLeaseMs: 5000 });
    const event = confirmation();
    const sub = event.request.userAttributes.sub!;
    serveUsers(cognito, [listedUser(event)]);
    const reconcileWith = (welcomeDelivery: 'at-most-once' | 'at-least-once') =>
      reconcile({ userPoolId: event.userPoolId, table: { name: table, client: dynamo.client }, cognitoClient, onWelcome, welcomeDelivery });

    // Act: a redelivery within the lease, then after it; then reconcile with the same welcome
    await handler(structuredClone(event), buildLambdaContext());
    throttleUpdates = false;
    const afterFirst = await dynamo.getItem(table, { userId: sub });
    const liveAfterFirst = hasLiveClaim(afterFirst);
    await handler(structuredClone(event), buildLambdaContext());
    await new Promise((resolve) => setTimeout(resolve, Number(afterFirst?.welcomeClaimExpiresAt) - Date.now() + 50));
    await handler(structuredClone(event), buildLambdaContext());
    const atMostOnce = await reconcileWith('at-most-once');
    const callsAtMostOnce = [...calls];
    const atLeastOnce = await reconcileWith('at-least-once');
    const afterwards = await reconcileWith('at-least-once');

    // Assess: the claim outlives the failed marker; once its lease ends the welcome is unknown,
    // never sent again at most once (reported instead), sent once more at least once
    expect(afterFirst).toMatchObject({ userId: sub, welcomeClaimId: expect.any(String) });
    expect(afterFirst).not.toHaveProperty('welcomeSentAt');
    expect(liveAfterFirst).toBe(true);
    expect(callsAtMostOnce).toEqual([sub]);
    expect(logger.records.map(({ record }) => `${record.outcome}/${record.welcome}`)).toEqual([
      'created/sent',
      'exists/skipped',
      'exists/skipped',
    ]);
    expect(logger.records[0]).toMatchObject({ level: 'warn', record: { welcomeError: { name: 'ProfileWriteError' } } });
    expect(atMostOnce.welcomes).toEqual({ sent: 0, failed: 0, pending: 0, unknown: 1 });
    expect(atMostOnce.ids.unknownWelcomes).toEqual([sub]);
    expect(atLeastOnce.welcomes).toEqual({ sent: 1, failed: 0, pending: 0, unknown: 0 });
    expect(afterwards.welcomes).toEqual({ sent: 0, failed: 0, pending: 0, unknown: 0 });
    expect(calls).toEqual([sub, sub]);
    expect(await dynamo.getItem(table, { userId: sub })).toMatchObject({ welcomeSentAt: expect.any(String) });
  });
});

describe('a DynamoDB request that hangs once', () => {
  /*
   * `requestTimeout` alone only logs a warning in @smithy/node-http-handler 4.x; the
   * library's clients set `throwOnRequestTimeout` so that a stuck socket (a stale keep-alive
   * after a Lambda thaw) is retried within the deadline instead of using all of it.
   */
  it('retries a request that gets no answer after the 2 s request timeout and creates the row within the deadline', async () => {
    // Prepare: the first request is read and never answered; later ones reach dynalite
    const hangsOnce = await proxy(dynamo.endpoint, (_operation, index) => (index === 0 ? 'hang' : undefined));
    const { handler } = handlerVia(hangsOnce.endpoint);
    const event = confirmation();

    // Act
    const startedAt = performance.now();
    await handler(event, buildLambdaContext({ remainingTimeMs: 6000 }));
    const elapsedMs = performance.now() - startedAt;

    // Assess
    expect(await dynamo.getItem(table, { userId: event.request.userAttributes.sub! })).toBeDefined();
    expect(hangsOnce.requests.map(({ operation }) => operation)).toEqual(['PutItem', 'PutItem']);
    expect(elapsedMs).toBeLessThan(3500);
  });
});

describe.concurrent('a DynamoDB endpoint that accepts connections and never answers', () => {
  let silent: SilentServer;
  const ownServers: SilentServer[] = [];

  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await Promise.all([silent, ...ownServers].map((server) => server?.stop()));
  });

  /** Settling time, as an upper bound: the guarantee is "before Cognito gives up". */
  async function settle<T>(run: () => Promise<T>): Promise<{ value?: T; error?: unknown; elapsedMs: number }> {
    const startedAt = performance.now();
    const result = await run().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { ...result, elapsedMs: performance.now() - startedAt };
  }

  /** Resolves once `check` holds; fails after `withinMs`. An upper bound ("it ends"), never a speed. */
  async function eventually(check: () => boolean, withinMs: number): Promise<boolean> {
    const until = performance.now() + withinMs;
    while (!check() && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    return check();
  }

  /** A silent endpoint of the test's own, so that its connections are this test's alone. */
  async function ownSilentServer(): Promise<SilentServer> {
    const own = await startSilentServer();
    ownServers.push(own);
    return own;
  }

  /*
   * The library's own client gets no abort signal (see `boundedRequests`): its request
   * timeouts end every request, the deadline only stops the wait. At most 3 attempts of
   * 1 s to connect and 2 s to answer, plus the SDK's short retry delays.
   */
  const LIBRARY_CLIENT_BOUND_MS = 3 * (1000 + 2000) + 1000;

  it('PostConfirmation with default options and the library client settles with a typed error within 5 s, its requests ending by their timeouts', async () => {
    const own = await ownSilentServer();
    const { handler, logger } = handlerVia(own.endpoint);
    const event = confirmation();
    const startedAt = performance.now();

    const { error, elapsedMs } = await settle(() => handler(event, buildLambdaContext({ remainingTimeMs: 6000 })));
    const requestsEnded = await eventually(() => own.openConnections() === 0, LIBRARY_CLIENT_BOUND_MS - (performance.now() - startedAt));

    expect(isDeadlineExceededError(error) || isProfileWriteError(error)).toBe(true);
    expect(elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
    expect(own.connections()).toBeGreaterThan(0);
    expect(requestsEnded).toBe(true);
    expect(logger.records).toMatchObject([{ level: 'error', record: { outcome: 'failed' } }]);
    expect(logger.text()).not.toContain(event.request.userAttributes.email);
  });

  it('PostConfirmation with a client of the user that has no timeouts settles with DeadlineExceededError within 5 s, its request aborted', async () => {
    // The SDK's default handler has no request timeout: only the deadline's abort ends the wait.
    const own = await ownSilentServer();
    const client = new DynamoDBClient({ endpoint: own.endpoint, region: 'us-east-1', credentials });
    const handler = createPostConfirmationHandler({ table: { name: table, client }, logger: recordingLogger() });

    const { error, elapsedMs } = await settle(() => handler(confirmation(), buildLambdaContext({ remainingTimeMs: 6000 })));
    // Checked before the client is destroyed, which would close the connection anyway.
    const requestAborted = await eventually(() => own.openConnections() === 0, 1000);
    client.destroy();

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).operation).toBe('createProfile');
    expect(elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
    expect(own.connections()).toBeGreaterThan(0);
    expect(requestAborted).toBe(true);
  });

  it('PreTokenGeneration lets the sign-in go on, unchanged, within 5 s', async () => {
    const logger = recordingLogger();
    const handler = createPreTokenGenerationHandler({
      table: { name: table, clientConfig: { endpoint: silent.endpoint, region: 'us-east-1', credentials } },
      claims: { plan: 'plan' },
      logger,
    });
    const event = buildPreTokenGenerationEvent();
    const before = structuredClone(event);

    const { value, elapsedMs } = await settle(() => handler(event, buildLambdaContext({ remainingTimeMs: 6000 })));

    expect(value).toEqual(before);
    expect(elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
    expect(logger.records).toMatchObject([{ level: 'error', record: { outcome: 'failed' } }]);
  });

  it('a welcome that never settles and ignores its signal does not hold the confirmation past 5 s, nor run again in its lease', async () => {
    let sends = 0;
    const onWelcome = () => {
      sends += 1;
      return new Promise(() => undefined);
    };
    const logger = recordingLogger();
    const handler = createPostConfirmationHandler({ table: { name: table, client: dynamo.client }, onWelcome, logger });
    const event = confirmation();

    const first = await settle(() => handler(structuredClone(event), buildLambdaContext({ remainingTimeMs: 6000 })));
    const second = await settle(() => handler(structuredClone(event), buildLambdaContext({ remainingTimeMs: 6000 })));

    expect(first.value).toEqual(event);
    expect(first.elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
    expect(second.value).toEqual(event);
    expect(sends).toBe(1);
    expect(logger.records.map(({ record }) => `${record.outcome}/${record.welcome}`)).toEqual(['created/failed', 'exists/skipped']);
    expect(logger.records[0]?.record.welcomeError).toMatchObject({ name: 'DeadlineExceededError' });
  });
});

describe('SES failing for the first delivery (aws-ses-v2-local behind the fault proxy)', () => {
  beforeEach(async () => {
    await ses.clear();
  });

  function sesWelcome(endpoint: string) {
    return sesWelcomeEmail({
      source: 'hello@example.com',
      subject: 'Welcome, {{givenName|friend}}',
      text: 'Thank you for signing up.',
      clientConfig: { endpoint, region: 'us-east-1', credentials },
    });
  }

  it('a mail SES rejects on the first delivery is sent exactly once on the redelivery; the row is never lost', async () => {
    // Prepare: MessageRejected is not retryable, so the first delivery's welcome fails outright
    const failing = await proxy(ses.endpoint, (operation, index) =>
      operation === 'SendEmail' && index === 0 ? sesError('MessageRejected', 'Email address is not verified.') : undefined,
    );
    const logger = recordingLogger();
    const handler = createPostConfirmationHandler({
      table: { name: table, client: dynamo.client },
      onWelcome: sesWelcome(failing.endpoint),
      logger,
    });
    const event = confirmation();
    const sub = event.request.userAttributes.sub!;
    const email = event.request.userAttributes.email!;

    // Act
    const confirmed = await handler(structuredClone(event), buildLambdaContext());
    const afterFailure = await dynamo.getItem(table, { userId: sub });
    const mailAfterFailure = await ses.sentMail();
    await handler(structuredClone(event), buildLambdaContext());
    await handler(structuredClone(event), buildLambdaContext());

    // Assess
    expect(confirmed).toEqual(event);
    expect(afterFailure).toMatchObject({ userId: sub, email });
    expect(afterFailure).not.toHaveProperty('welcomeSentAt');
    expect(hasLiveClaim(afterFailure)).toBe(false);
    expect(mailAfterFailure).toEqual([]);
    const mail = await ses.sentMail();
    expect(mail.map((message) => message.destination.to)).toEqual([[email]]);
    expect(await dynamo.getItem(table, { userId: sub })).toMatchObject({ welcomeSentAt: expect.any(String) });
    expect(logger.records.map(({ record }) => record.welcome)).toEqual(['failed', 'sent', 'skipped']);
    expect(logger.records[0]?.record.welcomeError).toEqual({ name: 'MessageRejected' });
    expect(logger.text()).not.toContain(email);
  });

  it('50 users whose first deliveries hit SES throttling past the client retries each get exactly one mail after redelivery', async () => {
    // Prepare: the first two SendEmail attempts for each recipient are throttled (the SES client makes two)
    const attempts = new Map<string, number>();
    const throttled = await proxy(ses.endpoint, (operation, _index, body) => {
      if (operation !== 'SendEmail') return undefined;
      const to = new URLSearchParams(body).get('Destination.ToAddresses.member.1') ?? '';
      const seen = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, seen);
      return seen <= 2 ? sesError('Throttling', 'Maximum sending rate exceeded.') : undefined;
    });
    const logger = recordingLogger();
    const handler = createPostConfirmationHandler({
      table: { name: table, client: dynamo.client },
      onWelcome: sesWelcome(throttled.endpoint),
      logger,
    });
    const events = Array.from({ length: 50 }, confirmation);
    const deliverAll = () => Promise.all(events.map((event) => handler(structuredClone(event), buildLambdaContext())));

    // Act
    await deliverAll();
    const mailAfterFirst = await ses.sentMail();
    await deliverAll();
    await deliverAll();

    // Assess
    expect(mailAfterFirst).toEqual([]);
    const recipients = (await ses.sentMail()).flatMap((message) => message.destination.to).sort();
    expect(recipients).toEqual(events.map((event) => event.request.userAttributes.email!).sort());
    expect(await dynamo.scan(table)).toHaveLength(50);
    const welcomes = logger.records.map(({ record }) => record.welcome);
    expect(welcomes.filter((welcome) => welcome === 'failed')).toHaveLength(50);
    expect(welcomes.filter((welcome) => welcome === 'sent')).toHaveLength(50);
    const text = logger.text();
    expect(events.filter((event) => text.includes(event.request.userAttributes.email!))).toEqual([]);
  });
});
