import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPostConfirmationHandler, DeadlineExceededError, type ProfileSyncOptions } from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';

let dynamo: TestDynamo;
let tableCount = 0;
let table: string;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});
beforeEach(async () => {
  table = `profiles-${++tableCount}`;
  await dynamo.createTable(table);
});

function handlerFor(options: Partial<ProfileSyncOptions> = {}) {
  const logger = recordingLogger();
  const handler = createPostConfirmationHandler({ table: { name: table, client: dynamo.client }, logger, ...options });
  return { handler, logger };
}

describe('PostConfirmation against dynalite', () => {
  it('creates the row, then leaves it untouched on a redelivery with changed attributes', async () => {
    // Prepare
    const { handler, logger } = handlerFor();
    const event = buildPostConfirmationEvent({ userAttributes: { name: 'First Name' } });
    const sub = event.request.userAttributes.sub!;

    // Act
    await handler(event, buildLambdaContext());
    const first = await dynamo.getItem(table, { userId: sub });
    const late = buildPostConfirmationEvent({ sub, userAttributes: { name: 'Clobbered' } });
    await handler(late, buildLambdaContext());

    // Assess
    expect(first).toMatchObject({ userId: sub, name: 'First Name', emailVerified: true });
    expect(await dynamo.getItem(table, { userId: sub })).toEqual(first);
    expect(logger.records.map(({ record }) => record.outcome)).toEqual(['created', 'exists']);
  });

  it('writes nothing for a forgot-password confirmation', async () => {
    const { handler } = handlerFor();

    await handler(buildPostConfirmationEvent({ triggerSource: 'PostConfirmation_ConfirmForgotPassword' }), buildLambdaContext());

    expect(await dynamo.scan(table)).toEqual([]);
  });

  it('stores fields named like expression reserved words under a reserved-word key', async () => {
    await dynamo.createTable(`${table}-reserved`, 'name');
    const handler = createPostConfirmationHandler({
      table: { name: `${table}-reserved`, partitionKey: 'name', client: dynamo.client },
      mapAttributes: () => ({ status: 'active', size: 3, year: '2026', 'a.b': 'dotted', '#x': 'hash' }),
      logger: recordingLogger(),
    });
    const event = buildPostConfirmationEvent();

    await handler(event, buildLambdaContext());

    expect(await dynamo.getItem(`${table}-reserved`, { name: event.request.userAttributes.sub! })).toMatchObject({
      status: 'active',
      size: 3,
      year: '2026',
      'a.b': 'dotted',
      '#x': 'hash',
    });
  });

  it('20 concurrent deliveries of one event make one row and one welcome', async () => {
    // Prepare
    const onWelcome = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    const { handler, logger } = handlerFor({ onWelcome });
    const event = buildPostConfirmationEvent();

    // Act
    await Promise.all(Array.from({ length: 20 }, () => handler(structuredClone(event), buildLambdaContext())));

    // Assess
    const rows = await dynamo.scan(table);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ welcomeSentAt: expect.any(String) });
    expect(rows[0]).not.toHaveProperty('welcomeClaimId');
    expect(onWelcome).toHaveBeenCalledTimes(1);
    const outcomes = logger.records.map(({ record }) => `${record.outcome}/${record.welcome}`);
    expect(outcomes.filter((o) => o === 'created/sent')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'exists/skipped')).toHaveLength(19);
  });

  it('a welcome that fails once is sent exactly once, on the redelivery', async () => {
    // Prepare
    const sent: string[] = [];
    let attempts = 0;
    const onWelcome = async (profile: Record<string, unknown>) => {
      attempts += 1;
      if (attempts === 1) throw Object.assign(new Error('throttled'), { name: 'Throttling' });
      sent.push(profile.userId as string);
    };
    const { handler, logger } = handlerFor({ onWelcome });
    const event = buildPostConfirmationEvent();
    const sub = event.request.userAttributes.sub!;

    // Act
    await handler(structuredClone(event), buildLambdaContext());
    const afterFailure = await dynamo.getItem(table, { userId: sub });
    await handler(structuredClone(event), buildLambdaContext());
    await handler(structuredClone(event), buildLambdaContext());

    // Assess
    // The claim is given up and the failure recorded: reconcile reads it as a welcome that is due.
    expect(afterFailure).toMatchObject({ welcomeFailedAt: expect.any(String) });
    expect(afterFailure).not.toHaveProperty('welcomeClaimExpiresAt');
    expect(afterFailure).not.toHaveProperty('welcomeSentAt');
    expect(sent).toEqual([sub]);
    expect(logger.records.map(({ record }) => record.welcome)).toEqual(['failed', 'sent', 'skipped']);
  });

  it('respects a live claim of a delivery that died mid-send; once it expires, takes over only at least once', async () => {
    // Prepare: a row whose claim was left by a process that never finished
    const onWelcome = vi.fn(async () => undefined);
    const { handler } = handlerFor({ onWelcome });
    const { handler: atLeastOnce } = handlerFor({ onWelcome, welcomeDelivery: 'at-least-once' });
    const event = buildPostConfirmationEvent();
    const sub = event.request.userAttributes.sub!;
    const setClaimExpiry = (expiresAt: number) =>
      dynamo.client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: marshall({ userId: sub }),
          UpdateExpression: 'SET welcomeClaimId = :id, welcomeClaimExpiresAt = :expiresAt',
          ExpressionAttributeValues: marshall({ ':id': 'dead-process', ':expiresAt': expiresAt }),
        }),
      );
    await createPostConfirmationHandler({ table: { name: table, client: dynamo.client }, logger: recordingLogger() })(
      structuredClone(event),
      buildLambdaContext(),
    );

    // Act + Assess: live claim
    await setClaimExpiry(Date.now() + 60_000);
    await handler(structuredClone(event), buildLambdaContext());
    expect(onWelcome).not.toHaveBeenCalled();

    // Act + Assess: expired claim, the welcome unknown: never again at most once, again at least once
    await setClaimExpiry(Date.now() - 1);
    await handler(structuredClone(event), buildLambdaContext());
    expect(onWelcome).not.toHaveBeenCalled();
    await atLeastOnce(structuredClone(event), buildLambdaContext());
    expect(onWelcome).toHaveBeenCalledTimes(1);
    expect(await dynamo.getItem(table, { userId: sub })).toMatchObject({ welcomeSentAt: expect.any(String) });
  });
});

describe('PostConfirmation against an endpoint that accepts and never answers', () => {
  let server: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  });

  it('settles with DeadlineExceededError before Cognito would give up', async () => {
    // Prepare: the library's own client, pointed at the silent server
    const { port } = server.address() as AddressInfo;
    const handler = createPostConfirmationHandler({
      table: {
        name: 'profiles',
        clientConfig: {
          endpoint: `http://127.0.0.1:${port}`,
          region: 'us-east-1',
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        },
      },
      deadlineMs: 1500,
      logger: recordingLogger(),
    });

    // Act
    const settled = await handler(buildPostConfirmationEvent(), buildLambdaContext({ remainingTimeMs: 6000 })).then(
      () => 'resolved',
      (error: unknown) => error,
    );

    // Assess
    expect(settled).toBeInstanceOf(DeadlineExceededError);
    expect(sockets.length).toBeGreaterThan(0);
  });
});

describe('the default client', () => {
  it('reaches the endpoint named by AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      const handler = createPostConfirmationHandler({ table, logger: recordingLogger() });
      const event = buildPostConfirmationEvent();

      await handler(event, buildLambdaContext());

      expect(await dynamo.getItem(table, { userId: event.request.userAttributes.sub! })).toBeDefined();
    } finally {
      process.env = saved;
    }
  });
});

