import {
  DynamoDBClient,
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createPostConfirmationHandler,
  DeadlineExceededError,
  InvalidProfileError,
  isInvalidEventError,
  ProfileWriteError,
  type ProfileSyncOptions,
} from '../../src/index.js';
import { resolveTable } from '../../src/store/table.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const SUB = '11111111-2222-3333-4444-555555555555';
const NOW = new Date('2026-05-04T03:02:01.000Z');

const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function setup(options: Partial<ProfileSyncOptions> = {}) {
  const logger = recordingLogger();
  const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger, ...options });
  return { handler, logger };
}

function putInputs() {
  return ddb.commandCalls(PutItemCommand).map((call) => call.args[0].input);
}
function updateInputs() {
  return ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
}

describe('createPostConfirmationHandler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    ddb.reset();
  });

  it('skips the forgot-password source: no DynamoDB call, no welcome, event returned unchanged', async () => {
    // Prepare
    const onWelcome = vi.fn();
    const { handler, logger } = setup({ onWelcome });
    const event = buildPostConfirmationEvent({ sub: SUB, triggerSource: 'PostConfirmation_ConfirmForgotPassword' });
    const before = structuredClone(event);

    // Act
    const result = await handler(event, buildLambdaContext());

    // Assess
    expect(result).toBe(event);
    expect(result).toEqual(before);
    expect(ddb.calls()).toHaveLength(0);
    expect(onWelcome).not.toHaveBeenCalled();
    expect(logger.records).toEqual([
      expect.objectContaining({ level: 'info', record: expect.objectContaining({ outcome: 'skipped', sub: SUB }) }),
    ]);
  });

  it('writes on forgot-password when the skipped sources are configured empty', async () => {
    ddb.on(PutItemCommand).resolves({});
    const { handler } = setup({ skipTriggerSources: [] });

    await handler(buildPostConfirmationEvent({ sub: SUB, triggerSource: 'PostConfirmation_ConfirmForgotPassword' }), buildLambdaContext());

    expect(putInputs()).toHaveLength(1);
  });

  it('creates the row with one conditional PutItem holding the default profile', async () => {
    // Prepare
    ddb.on(PutItemCommand).resolves({});
    const { handler, logger } = setup();
    const event = buildPostConfirmationEvent({
      sub: SUB,
      userPoolId: 'eu-west-1_AbCdEf123',
      userAttributes: {
        email: 'ana@example.com',
        email_verified: 'true',
        phone_number: '+15555550100',
        phone_number_verified: 'false',
        name: 'Ana Lima',
        given_name: 'Ana',
        family_name: 'Lima',
      },
    });

    // Act
    await handler(event, buildLambdaContext());

    // Assess
    expect(ddb.calls()).toHaveLength(1);
    const [input] = putInputs();
    expect(input).toEqual({
      TableName: 'profiles',
      Item: expect.any(Object),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'userId' },
    });
    expect(unmarshall(input!.Item!)).toEqual({
      userId: SUB,
      username: SUB,
      email: 'ana@example.com',
      emailVerified: true,
      phoneNumber: '+15555550100',
      phoneNumberVerified: false,
      name: 'Ana Lima',
      givenName: 'Ana',
      familyName: 'Lima',
      userPoolId: 'eu-west-1_AbCdEf123',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    expect(logger.records.map((r) => r.record.outcome)).toEqual(['created']);
  });

  it('reports an existing row as exists, not as an error, and writes nothing more', async () => {
    ddb.on(PutItemCommand).rejects(ccf());
    const { handler, logger } = setup();
    const event = buildPostConfirmationEvent({ sub: SUB });

    await expect(handler(event, buildLambdaContext())).resolves.toBe(event);

    expect(ddb.calls()).toHaveLength(1);
    expect(logger.records).toEqual([
      expect.objectContaining({ level: 'info', record: expect.objectContaining({ outcome: 'exists', welcome: 'off' }) }),
    ]);
  });

  it('uses the configured partition key name', async () => {
    ddb.on(PutItemCommand).resolves({});
    const handler = createPostConfirmationHandler({ table: { name: 'members', partitionKey: 'id', client }, logger: recordingLogger() });

    await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

    const [input] = putInputs();
    expect(input?.ExpressionAttributeNames).toEqual({ '#pk': 'id' });
    expect(unmarshall(input!.Item!)).toMatchObject({ id: SUB });
  });

  it('forces the key, createdAt and the welcome attributes whatever the mapper returns', async () => {
    ddb.on(PutItemCommand).resolves({});
    const { handler } = setup({
      mapAttributes: () => ({
        userId: 'attacker',
        createdAt: '1999-01-01T00:00:00.000Z',
        welcomeSentAt: '1999-01-01T00:00:00.000Z',
        plan: 'free',
      }),
    });

    await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

    expect(unmarshall(putInputs()[0]!.Item!)).toEqual({ userId: SUB, createdAt: NOW.toISOString(), plan: 'free' });
  });

  describe('the once-only welcome', () => {
    it('takes the claim in the create, sends, then marks it sent: one PutItem, one UpdateItem', async () => {
      // Prepare
      ddb.on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({});
      const onWelcome = vi.fn().mockResolvedValue(undefined);
      const { handler, logger } = setup({ onWelcome });

      // Act
      await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

      // Assess
      const item = unmarshall(putInputs()[0]!.Item!);
      expect(item.welcomeClaimId).toEqual(expect.any(String));
      expect(item.welcomeClaimExpiresAt).toBe(NOW.getTime() + 60_000);
      expect(onWelcome).toHaveBeenCalledTimes(1);
      expect(onWelcome.mock.calls[0]![0]).toMatchObject({ userId: SUB });
      expect(updateInputs()).toEqual([
        {
          TableName: 'profiles',
          Key: marshall({ userId: SUB }),
          UpdateExpression: 'SET #sentAt = :sentAt REMOVE #claimId, #expiresAt, #failedAt',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            '#pk': 'userId',
            '#sentAt': 'welcomeSentAt',
            '#claimId': 'welcomeClaimId',
            '#expiresAt': 'welcomeClaimExpiresAt',
            '#failedAt': 'welcomeFailedAt',
          },
          ExpressionAttributeValues: marshall({ ':sentAt': NOW.toISOString() }),
        },
      ]);
      expect(ddb.calls()).toHaveLength(2);
      expect(logger.records[0]?.record).toMatchObject({ outcome: 'created', welcome: 'sent' });
    });

    it('claims on an existing row whose welcome never completed, and sends', async () => {
      ddb.on(PutItemCommand).rejects(ccf()).on(UpdateItemCommand).resolves({});
      const onWelcome = vi.fn().mockResolvedValue(undefined);
      const { handler, logger } = setup({ onWelcome });

      await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

      const [claim] = updateInputs();
      // At most once (the default): a claim whose lease ran out is never taken over.
      expect(claim?.ConditionExpression).toBe(
        'attribute_exists(#pk) AND attribute_not_exists(#sentAt) AND attribute_not_exists(#expiresAt)',
      );
      expect(onWelcome).toHaveBeenCalledTimes(1);
      expect(updateInputs()).toHaveLength(2);
      expect(logger.records[0]?.record).toMatchObject({ outcome: 'exists', welcome: 'sent' });
    });

    it('does not send when another delivery has sent or holds the claim', async () => {
      ddb.on(PutItemCommand).rejects(ccf()).on(UpdateItemCommand).rejects(ccf());
      const onWelcome = vi.fn();
      const { handler, logger } = setup({ onWelcome });

      await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

      expect(onWelcome).not.toHaveBeenCalled();
      expect(updateInputs()).toHaveLength(1);
      expect(logger.records[0]?.record).toMatchObject({ outcome: 'exists', welcome: 'skipped' });
    });

    it('releases its claim at once when the welcome throws, and still confirms', async () => {
      // Prepare
      ddb.on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({});
      const failure = Object.assign(new Error('Email address is not verified: ana@example.com'), { name: 'MessageRejected' });
      const { handler, logger } = setup({ onWelcome: vi.fn().mockRejectedValue(failure) });
      const event = buildPostConfirmationEvent({ sub: SUB, userAttributes: { email: 'ana@example.com' } });

      // Act
      const result = await handler(event, buildLambdaContext());

      // Assess
      expect(result).toBe(event);
      const claimId = unmarshall(putInputs()[0]!.Item!).welcomeClaimId;
      expect(updateInputs()).toEqual([
        expect.objectContaining({
          UpdateExpression: 'SET #failedAt = :failedAt REMOVE #claimId, #expiresAt',
          ConditionExpression: '#claimId = :claimId',
          ExpressionAttributeValues: marshall({ ':claimId': claimId, ':failedAt': NOW.toISOString() }),
        }),
      ]);
      expect(logger.records).toEqual([
        {
          level: 'warn',
          record: expect.objectContaining({ outcome: 'created', welcome: 'failed', welcomeError: { name: 'MessageRejected' } }),
        },
      ]);
      expect(logger.text()).not.toContain('ana@example.com');
    });

    it('keeps its claim when the welcome runs out of time, since the mail may have gone out', async () => {
      ddb.on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({});
      const { handler, logger } = setup({ deadlineMs: 150, onWelcome: () => new Promise(() => undefined) });

      await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

      expect(updateInputs()).toHaveLength(0);
      expect(logger.records[0]?.record).toMatchObject({
        welcome: 'failed',
        welcomeError: { name: 'DeadlineExceededError' },
      });
    });

    it('gives the welcome an abort signal that fires at the deadline', async () => {
      ddb.on(PutItemCommand).resolves({});
      let seen: AbortSignal | undefined;
      const { handler } = setup({
        deadlineMs: 100,
        onWelcome: (_profile, { signal }) => {
          seen = signal;
          return new Promise(() => undefined);
        },
      });

      await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

      expect(seen?.aborted).toBe(true);
    });

    it('never fails the confirmation when the claim write itself fails', async () => {
      ddb
        .on(PutItemCommand)
        .rejects(ccf())
        .on(UpdateItemCommand)
        .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
      const onWelcome = vi.fn();
      const { handler, logger } = setup({ onWelcome });

      await expect(handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext())).resolves.toBeDefined();

      expect(onWelcome).not.toHaveBeenCalled();
      expect(logger.records[0]?.record).toMatchObject({
        welcome: 'failed',
        welcomeError: { name: 'ProfileWriteError', cause: 'ProvisionedThroughputExceededException' },
      });
    });
  });

  describe('failures of the profile write', () => {
    it('rejects with ProfileWriteError keeping the SDK error as cause (throttling past retries)', async () => {
      const throttled = new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
      ddb.on(PutItemCommand).rejects(throttled);
      const { handler, logger } = setup();

      const error = await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext()).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ProfileWriteError);
      expect((error as ProfileWriteError).cause).toBe(throttled);
      expect((error as ProfileWriteError).operation).toBe('createProfile');
      expect(logger.records).toEqual([
        {
          level: 'error',
          record: expect.objectContaining({
            outcome: 'failed',
            error: { name: 'ProfileWriteError', cause: 'ProvisionedThroughputExceededException' },
          }),
        },
      ]);
    });

    it('lets the confirmation succeed with failOpen, logging the failure', async () => {
      ddb.on(PutItemCommand).rejects(new Error('socket hang up'));
      const onWelcome = vi.fn();
      const { handler, logger } = setup({ failOpen: true, onWelcome });
      const event = buildPostConfirmationEvent({ sub: SUB });

      await expect(handler(event, buildLambdaContext())).resolves.toBe(event);

      expect(onWelcome).not.toHaveBeenCalled();
      expect(logger.records[0]).toMatchObject({ level: 'error', record: { outcome: 'failed' } });
    });

    it('lets the confirmation succeed with failOpen when the mapper output cannot be stored', async () => {
      const { handler, logger } = setup({ failOpen: true, mapAttributes: () => ({ bad: Number.NaN }) });
      const event = buildPostConfirmationEvent({ sub: SUB });

      await expect(handler(event, buildLambdaContext())).resolves.toBe(event);

      expect(ddb.calls()).toHaveLength(0);
      expect(logger.records[0]).toMatchObject({ level: 'error', record: { outcome: 'failed', error: { name: 'InvalidProfileError' } } });
    });

    it('still rejects an invalid event with failOpen', async () => {
      const { handler } = setup({ failOpen: true });

      await expect(handler({ triggerSource: 'PostConfirmation_ConfirmSignUp' } as never, buildLambdaContext())).rejects.toMatchObject({
        name: 'InvalidEventError',
      });
    });

    it('rejects with DeadlineExceededError when DynamoDB does not answer, well before Cognito gives up', async () => {
      ddb.on(PutItemCommand).callsFake(() => new Promise(() => undefined));
      const { handler } = setup({ deadlineMs: 200 });
      const started = performance.now();

      const error = await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext()).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect(error).toMatchObject({ operation: 'createProfile', budgetMs: 200 });
      // Not a timing assertion on speed: it proves the call was abandoned, not awaited forever.
      expect(performance.now() - started).toBeLessThan(4000);
    });

    it('works to the Lambda context remaining time less the margin when that is shorter', async () => {
      ddb.on(PutItemCommand).callsFake(() => new Promise(() => undefined));
      const { handler } = setup({ safetyMarginMs: 100 });

      const error = await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext({ remainingTimeMs: 400 })).catch(
        (e: unknown) => e,
      );

      expect(error).toMatchObject({ name: 'DeadlineExceededError', budgetMs: 300 });
    });

    it('fails at once when the context has no time left', async () => {
      const { handler } = setup();

      await expect(
        handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext({ remainingTimeMs: 100 })),
      ).rejects.toBeInstanceOf(DeadlineExceededError);
      expect(ddb.calls()).toHaveLength(0);
    });

    /*
     * The library's own client ends its requests by its timeouts (see the fault tests), so
     * its create goes without options: the SDK then reuses its cached middleware. A client
     * of the user's may have no timeout: it gets the deadline's signal, which aborts it.
     */
    it.each([
      ['the client the library builds', { table: 'profiles' }, false],
      ['the library client with a request handler of the user', { table: { name: 'profiles', clientConfig: { requestHandler: {} } } }, true],
      ['a client of the user', { table: { name: 'profiles', client } }, true],
    ])('sends the create with an abort signal only when it may need one: %s', async (_label, options, signalled) => {
      ddb.on(PutItemCommand).resolves({});
      const handler = createPostConfirmationHandler({ ...options, logger: recordingLogger() } as ProfileSyncOptions);

      await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

      const [call] = ddb.commandCalls(PutItemCommand);
      const sendOptions = (call!.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
      expect(sendOptions?.abortSignal instanceof AbortSignal).toBe(signalled);
      if (!signalled) expect(sendOptions).toBeUndefined();
    });

    it('builds its own client with request timeouts that throw and with cached middleware', () => {
      const built = resolveTable('profiles').client();

      expect(built.config.cacheMiddleware).toBe(true);
      expect(resolveTable('profiles').boundedRequests).toBe(true);
      expect(resolveTable({ name: 'profiles', client }).boundedRequests).toBe(false);
    });
  });

  describe('bad events', () => {
    const valid = () => buildPostConfirmationEvent({ sub: SUB }) as unknown as Record<string, any>;
    const cases: Array<[string, () => unknown, string]> = [
      ['null', () => null, 'event'],
      ['a string', () => 'event', 'event'],
      ['an array', () => [], 'event'],
      ['no triggerSource', () => ({ ...valid(), triggerSource: undefined }), 'triggerSource'],
      ['another trigger', () => ({ ...valid(), triggerSource: 'PreSignUp_SignUp' }), 'triggerSource'],
      ['no userPoolId', () => ({ ...valid(), userPoolId: 42 }), 'userPoolId'],
      ['no userName', () => ({ ...valid(), userName: null }), 'userName'],
      ['no request', () => ({ ...valid(), request: undefined }), 'request'],
      ['no userAttributes', () => ({ ...valid(), request: {} }), 'request.userAttributes'],
      ['userAttributes as an array', () => ({ ...valid(), request: { userAttributes: [] } }), 'request.userAttributes'],
      ['no sub', () => ({ ...valid(), request: { userAttributes: { email: 'a@example.com' } } }), 'request.userAttributes.sub'],
      ['a numeric sub', () => ({ ...valid(), request: { userAttributes: { sub: 7 } } }), 'request.userAttributes.sub'],
      ['an empty sub', () => ({ ...valid(), request: { userAttributes: { sub: '' } } }), 'request.userAttributes.sub'],
      [
        'a non-string attribute',
        () => ({ ...valid(), request: { userAttributes: { sub: SUB, email_verified: true } } }),
        'request.userAttributes.email_verified',
      ],
    ];

    it.each(cases)('rejects %s with InvalidEventError naming the field', async (_label, build, field) => {
      const { handler, logger } = setup();

      const error = await handler(build() as never, buildLambdaContext()).catch((e: unknown) => e);

      expect(isInvalidEventError(error)).toBe(true);
      expect(error).toMatchObject({ field });
      expect((error as Error).message).toContain(field);
      expect(ddb.calls()).toHaveLength(0);
      expect(logger.records[0]).toMatchObject({ level: 'error', record: { outcome: 'failed' } });
    });

    it.each([
      ['no userPoolId', { userPoolId: 42 }, 'Invalid trigger event: `userPoolId` must be a string, got a number'],
      ['no request', { request: null }, 'Invalid trigger event: `request` must be an object, got null'],
      ['userAttributes as an array', { request: { userAttributes: [] } }, 'Invalid trigger event: `request.userAttributes` must be an object, got an array'],
      ['no sub', { request: { userAttributes: {} } }, 'Invalid trigger event: `request.userAttributes.sub` must be a string, got undefined'],
      ['an empty sub', { request: { userAttributes: { sub: '' } } }, 'Invalid trigger event: `request.userAttributes.sub` must not be empty'],
      ['an attribute object', { request: { userAttributes: { sub: SUB, email: {} } } }, 'Invalid trigger event: `request.userAttributes.email` must be a string, got an object'],
    ])('says for %s what was expected and the kind it got', async (_label, change, message) => {
      const { handler } = setup();

      const error = await handler({ ...valid(), ...change } as never, buildLambdaContext()).catch((e: unknown) => e);

      expect((error as Error).message).toBe(message);
    });

    it('never quotes attribute values in the error message', async () => {
      const { handler } = setup();
      const event = { ...valid(), request: { userAttributes: { sub: SUB, email: ['ana@example.com'] } } };

      const error = (await handler(event as never, buildLambdaContext()).catch((e: unknown) => e)) as Error;

      expect(error.message).not.toContain('ana@example.com');
    });

    it('rejects an item over 400 KB with InvalidProfileError before writing', async () => {
      const { handler } = setup({ mapAttributes: () => ({ bio: 'x'.repeat(410 * 1024) }) });

      const error = await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext()).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidProfileError);
      expect(error).toMatchObject({ field: 'profile' });
      expect(ddb.calls()).toHaveLength(0);
    });

    it('counts multi-byte characters by their UTF-8 size', async () => {
      // 140k three-byte characters are 420 KB although the string length is 140k.
      const { handler } = setup({ mapAttributes: () => ({ bio: '界'.repeat(140 * 1024) }) });

      await expect(handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext())).rejects.toBeInstanceOf(
        InvalidProfileError,
      );
    });

    const badValues: Array<[string, unknown, string]> = [
      ['a function', () => 1, 'bad'],
      ['NaN', Number.NaN, 'bad'],
      ['a Date', new Date(), 'bad'],
      ['a class instance', new URL('https://example.com'), 'bad'],
      ['a nested symbol', { deep: [Symbol('x')] }, 'bad.deep[0]'],
      ['an empty Set', new Set(), 'bad'],
      ['a bigint', 10n, 'bad'],
      ['an integer beyond the safe range', 2 ** 60, 'bad'],
    ];

    it.each(badValues)('rejects a mapper output holding %s, naming the field', async (_label, value, field) => {
      const { handler } = setup({ mapAttributes: () => ({ bad: value }) });

      const error = await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext()).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidProfileError);
      expect(error).toMatchObject({ field });
      expect(ddb.calls()).toHaveLength(0);
    });

    it('wraps a mapper that throws, keeping its error as cause', async () => {
      const boom = new TypeError('cannot read properties of undefined');
      const { handler } = setup({
        mapAttributes: () => {
          throw boom;
        },
      });

      const error = await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext()).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidProfileError);
      expect((error as InvalidProfileError).cause).toBe(boom);
    });

    it('rejects a mapper that returns something other than a plain object', async () => {
      const { handler } = setup({ mapAttributes: () => [] as never });

      await expect(handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext())).rejects.toBeInstanceOf(
        InvalidProfileError,
      );
    });
  });

  describe('logging', () => {
    it('logs one line with source, pool, sub, outcome, welcome and duration, and no personal data', async () => {
      ddb.on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({});
      const { handler, logger } = setup({ onWelcome: async () => undefined });
      const event = buildPostConfirmationEvent({
        sub: SUB,
        userName: 'ana.lima',
        userAttributes: { email: 'ana@example.com', phone_number: '+15555550100', name: 'Ana Lima', given_name: 'Ana' },
      });

      await handler(event, buildLambdaContext());

      expect(logger.records).toHaveLength(1);
      expect(logger.records[0]!.record).toEqual({
        message: 'cognito-profile-sync PostConfirmation',
        triggerSource: 'PostConfirmation_ConfirmSignUp',
        userPoolId: 'us-east-1_EXAMPLE01',
        sub: SUB,
        outcome: 'created',
        welcome: 'sent',
        durationMs: expect.any(Number),
      });
      for (const secret of ['ana@example.com', '+15555550100', 'Ana Lima', 'ana.lima']) {
        expect(logger.text()).not.toContain(secret);
      }
    });

    it('adds the user name and error messages only when logPersonalData is on', async () => {
      ddb.on(PutItemCommand).rejects(new Error('boom for ana.lima'));
      const on = setup({ logPersonalData: true, failOpen: true });
      const off = setup({ failOpen: true });

      await on.handler(buildPostConfirmationEvent({ sub: SUB, userName: 'ana.lima' }), buildLambdaContext());
      await off.handler(buildPostConfirmationEvent({ sub: SUB, userName: 'ana.lima' }), buildLambdaContext());

      expect(on.logger.records[0]!.record).toMatchObject({
        userName: 'ana.lima',
        error: { name: 'ProfileWriteError', message: expect.stringContaining('createProfile') },
      });
      expect(off.logger.records).toHaveLength(1);
      expect(off.logger.records[0]!.record).not.toHaveProperty('userName');
      expect(off.logger.records[0]!.record.error).toEqual({ name: 'ProfileWriteError', cause: 'Error' });
      expect(off.logger.text()).not.toContain('ana.lima');
    });

    it('writes JSON lines to the console by default', async () => {
      ddb.on(PutItemCommand).resolves({});
      const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
      try {
        const handler = createPostConfirmationHandler({ table: { name: 'profiles', client } });
        await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

        expect(info).toHaveBeenCalledTimes(1);
        expect(JSON.parse(info.mock.calls[0]![0] as string)).toMatchObject({ sub: SUB, outcome: 'created' });
      } finally {
        info.mockRestore();
      }
    });

    it('does not fail the trigger when the logger throws', async () => {
      ddb.on(PutItemCommand).resolves({});
      const broken = { info: () => { throw new Error('transport down'); }, warn: () => undefined, error: () => undefined };
      const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: broken });
      const event = buildPostConfirmationEvent({ sub: SUB });

      await expect(handler(event, buildLambdaContext())).resolves.toBe(event);
    });
  });
});
