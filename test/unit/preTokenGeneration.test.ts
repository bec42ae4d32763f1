import { DynamoDBClient, ProvisionedThroughputExceededException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, createPreTokenGenerationHandler, type PreTokenGenerationOptions } from '../../src/index.js';
import { buildLambdaContext, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const SUB = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const NOW = new Date('2026-06-07T08:09:10.000Z');

function setup(options: Partial<PreTokenGenerationOptions> = {}) {
  const logger = recordingLogger();
  const handler = createPreTokenGenerationHandler({ table: { name: 'profiles', client }, logger, ...options });
  return { handler, logger };
}

/** The row DynamoDB would return after the upsert. */
function storedRow(overrides: Record<string, unknown> = {}) {
  return { Attributes: marshall({ userId: SUB, createdAt: '2026-01-01T00:00:00.000Z', plan: 'pro', score: 7, ...overrides }) };
}

describe('createPreTokenGenerationHandler', () => {
  beforeEach(() => vi.useFakeTimers({ now: NOW, toFake: ['Date'] }));
  afterEach(() => {
    vi.useRealTimers();
    ddb.reset();
  });

  it('syncs the Cognito-owned fields and lastLoginAt in one upserting UpdateItem', async () => {
    // Prepare
    ddb.on(UpdateItemCommand).resolves(storedRow());
    const { handler, logger } = setup();
    const event = buildPreTokenGenerationEvent({ sub: SUB, userAttributes: { email: 'new@example.com', email_verified: 'true' } });

    // Act
    await handler(event, buildLambdaContext());

    // Assess
    expect(ddb.calls()).toHaveLength(1);
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ TableName: 'profiles', Key: marshall({ userId: SUB }), ReturnValues: 'ALL_NEW' });
    expect(input.ConditionExpression).toBeUndefined();
    expect(input.UpdateExpression).toContain('#createdAt = if_not_exists(#createdAt, :now)');
    const names = input.ExpressionAttributeNames!;
    const values = unmarshall(input.ExpressionAttributeValues!);
    const set = Object.fromEntries(
      Object.entries(names)
        .filter(([placeholder]) => placeholder.startsWith('#f'))
        .map(([placeholder, field]) => [field, values[placeholder.replace('#', ':')]]),
    );
    expect(set).toEqual({
      username: SUB,
      email: 'new@example.com',
      emailVerified: true,
      name: 'Example User',
      userPoolId: 'us-east-1_EXAMPLE01',
      lastLoginAt: NOW.toISOString(),
    });
    expect(logger.records[0]!.record).toMatchObject({ outcome: 'updated', sub: SUB });
  });

  it('creates the row for a user who never fired PostConfirmation (NewPasswordChallenge)', async () => {
    ddb.on(UpdateItemCommand).resolves(storedRow({ createdAt: NOW.toISOString() }));
    const { handler, logger } = setup();

    await handler(buildPreTokenGenerationEvent({ sub: SUB, triggerSource: 'TokenGeneration_NewPasswordChallenge' }), buildLambdaContext());

    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(logger.records[0]!.record).toMatchObject({ outcome: 'created', triggerSource: 'TokenGeneration_NewPasswordChallenge' });
  });

  it.each(['TokenGeneration_RefreshTokens', 'TokenGeneration_ClientCredentials'])('skips %s by default', async (triggerSource) => {
    const { handler, logger } = setup({ claims: { plan: 'plan' } });
    const event = buildPreTokenGenerationEvent({ sub: SUB, triggerSource: triggerSource as never });
    const before = structuredClone(event);

    await expect(handler(event, buildLambdaContext())).resolves.toEqual(before);

    expect(ddb.calls()).toHaveLength(0);
    expect(logger.records[0]!.record).toMatchObject({ outcome: 'skipped' });
  });

  it('adds ID token claims from the stored row in the V1 shape, as strings', async () => {
    ddb.on(UpdateItemCommand).resolves(storedRow());
    const { handler } = setup({ claims: { plan: 'plan', score: 'score', missing: 'nope', since: (p) => String(p.createdAt).slice(0, 4) } });
    const event = buildPreTokenGenerationEvent({ sub: SUB, version: '1' });
    (event.response as any).claimsOverrideDetails = { claimsToAddOrOverride: { earlier: 'kept' } };

    const result = await handler(event, buildLambdaContext());

    expect(result.response).toEqual({
      claimsOverrideDetails: { claimsToAddOrOverride: { earlier: 'kept', plan: 'pro', score: '7', since: '2026' } },
    });
  });

  it.each(['2', '3'] as const)('adds ID and access token claims in the V2 shape for version %s, keeping types', async (version) => {
    ddb.on(UpdateItemCommand).resolves(storedRow());
    const { handler } = setup({ claims: { plan: 'plan', score: 'score' }, accessTokenClaims: { tier: 'plan' } });

    const result = await handler(buildPreTokenGenerationEvent({ sub: SUB, version }), buildLambdaContext());

    expect(result.response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { plan: 'pro', score: 7 } },
        accessTokenGeneration: { claimsToAddOrOverride: { tier: 'pro' } },
      },
    });
  });

  it('fails open by default: a DynamoDB failure lets the sign-in go on with the event unchanged', async () => {
    ddb.on(UpdateItemCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow', $metadata: {} }));
    const { handler, logger } = setup({ claims: { plan: 'plan' } });
    const event = buildPreTokenGenerationEvent({ sub: SUB });
    const before = structuredClone(event);

    await expect(handler(event, buildLambdaContext())).resolves.toEqual(before);

    expect(logger.records[0]).toMatchObject({
      level: 'error',
      record: { outcome: 'failed', error: { name: 'ProfileWriteError', cause: 'ProvisionedThroughputExceededException' } },
    });
  });

  it('fails open past the deadline', async () => {
    ddb.on(UpdateItemCommand).callsFake(() => new Promise(() => undefined));
    const { handler, logger } = setup({ deadlineMs: 100 });
    const event = buildPreTokenGenerationEvent({ sub: SUB });

    await expect(handler(event, buildLambdaContext())).resolves.toBe(event);

    expect(logger.records[0]!.record).toMatchObject({ error: { name: 'DeadlineExceededError' } });
  });

  it('leaves the event untouched when a claim function throws', async () => {
    ddb.on(UpdateItemCommand).resolves(storedRow());
    const { handler } = setup({
      claims: { plan: 'plan' },
      accessTokenClaims: {
        broken: () => {
          throw new Error('bad claim');
        },
      },
    });
    const event = buildPreTokenGenerationEvent({ sub: SUB, version: '2' });
    const before = structuredClone(event);

    await expect(handler(event, buildLambdaContext())).resolves.toEqual(before);
  });

  it('fails closed with failOpen: false', async () => {
    ddb.on(UpdateItemCommand).rejects(new Error('down'));
    const { handler } = setup({ failOpen: false });

    await expect(handler(buildPreTokenGenerationEvent({ sub: SUB }), buildLambdaContext())).rejects.toMatchObject({
      name: 'ProfileWriteError',
    });
  });

  it('rejects an event without a sub even when failing open', async () => {
    const { handler } = setup();
    const event = buildPreTokenGenerationEvent({ sub: SUB });
    delete (event.request.userAttributes as Record<string, string>).sub;

    await expect(handler(event, buildLambdaContext())).rejects.toMatchObject({
      name: 'InvalidEventError',
      field: 'request.userAttributes.sub',
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('logs no personal data', async () => {
    ddb.on(UpdateItemCommand).resolves(storedRow());
    const { handler, logger } = setup({ claims: { plan: 'plan' } });

    await handler(
      buildPreTokenGenerationEvent({ sub: SUB, userName: 'ana.lima', userAttributes: { email: 'ana@example.com', name: 'Ana Lima' } }),
      buildLambdaContext(),
    );

    expect(logger.records[0]!.record).toEqual({
      message: 'cognito-profile-sync PreTokenGeneration',
      triggerSource: 'TokenGeneration_Authentication',
      userPoolId: 'us-east-1_EXAMPLE01',
      sub: SUB,
      outcome: 'updated',
      claims: 1,
      durationMs: expect.any(Number),
    });
  });

  describe('configuration', () => {
    it.each(['sub', 'iss', 'aud', 'exp', 'token_use', 'cognito:groups', 'cognito:username', 'auth_time'])(
      'refuses the reserved claim %s when the handler is created',
      (name) => {
        const create = () => createPreTokenGenerationHandler({ table: 'profiles', claims: { [name]: 'plan' } });

        expect(create).toThrow(ConfigurationError);
        expect(create).toThrow(expect.objectContaining({ option: `claims.${name}` }));
      },
    );

    it('refuses reserved claims in the access token too', () => {
      expect(() => createPreTokenGenerationHandler({ table: 'profiles', accessTokenClaims: { scope: 'plan' } })).toThrow(
        expect.objectContaining({ option: 'accessTokenClaims.scope' }),
      );
    });

    it('refuses a claim source that is neither a field name nor a function', () => {
      expect(() => createPreTokenGenerationHandler({ table: 'profiles', claims: { plan: 3 as never } })).toThrow(
        expect.objectContaining({ option: 'claims.plan' }),
      );
    });
  });
});
