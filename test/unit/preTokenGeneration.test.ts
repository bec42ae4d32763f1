import { DynamoDBClient, ProvisionedThroughputExceededException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ClaimError,
  ConfigurationError,
  createPreTokenGenerationHandler,
  isClaimError,
  isInvalidEventError,
  type PreTokenGenerationOptions,
} from '../../src/index.js';
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
    // A deletion is final: the sign-in never refills a deleted user's row or tombstone.
    expect(input.ConditionExpression).toBe('attribute_not_exists(#deletedAt)');
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

  it('fails closed with a ClaimError naming the claim when a claim function throws, leaving the event untouched', async () => {
    ddb.on(UpdateItemCommand).resolves(storedRow());
    const boom = new TypeError("Cannot read properties of undefined (reading 'city')");
    const { handler, logger } = setup({
      failOpen: false,
      claims: { plan: 'plan' },
      accessTokenClaims: {
        broken: () => {
          throw boom;
        },
      },
    });
    const event = buildPreTokenGenerationEvent({ sub: SUB, version: '2' });
    const before = structuredClone(event);

    const error = await handler(event, buildLambdaContext()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ClaimError);
    expect(isClaimError(error)).toBe(true);
    expect(error).toMatchObject({ claim: 'accessTokenClaims.broken', cause: boom });
    expect((error as Error).message).toContain('accessTokenClaims.broken');
    expect(event).toEqual(before);
    expect(logger.records[0]).toMatchObject({ level: 'error', record: { outcome: 'failed', error: { name: 'ClaimError', cause: 'TypeError' } } });
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

  describe('bad events and claim values', () => {
    it.each([
      ['a string', 'x'],
      ['a number', 5],
      ['an array', []],
    ])('rejects a response that is %s with InvalidEventError, before writing', async (_label, response) => {
      const { handler } = setup({ failOpen: false, claims: { plan: 'plan' } });
      const event = { ...buildPreTokenGenerationEvent({ sub: SUB }), response } as never;

      const error = await handler(event, buildLambdaContext()).catch((e: unknown) => e);

      expect(isInvalidEventError(error)).toBe(true);
      expect(error).toMatchObject({ field: 'response' });
      expect(ddb.calls()).toHaveLength(0);
    });

    it('adds claims to an event without a response', async () => {
      ddb.on(UpdateItemCommand).resolves(storedRow());
      const { handler } = setup({ failOpen: false, claims: { plan: 'plan' } });
      const event = buildPreTokenGenerationEvent({ sub: SUB }) as unknown as Record<string, unknown>;
      delete event.response;

      const result = await handler(event as never, buildLambdaContext());

      expect(result.response).toEqual({ claimsOverrideDetails: { claimsToAddOrOverride: { plan: 'pro' } } });
    });

    it.each(['1', '2'] as const)('V%s: adds no claim for a field the row lacks, even one named like an Object.prototype member', async (version) => {
      ddb.on(UpdateItemCommand).resolves(storedRow());
      const { handler, logger } = setup({ failOpen: false, claims: { plan: 'plan', text: 'toString', kind: 'constructor' } });

      const result = await handler(buildPreTokenGenerationEvent({ sub: SUB, version }), buildLambdaContext());

      const details = version === '1' ? (result.response as any).claimsOverrideDetails : (result.response as any).claimsAndScopeOverrideDetails.idTokenGeneration;
      expect(details.claimsToAddOrOverride).toEqual({ plan: 'pro' });
      expect(logger.records[0]!.record).toMatchObject({ claims: 1 });
    });

    const cycle = () => {
      const value: Record<string, unknown> = {};
      value.self = value;
      return value;
    };
    it.each<[string, () => unknown, '1' | '2']>([
      ['a cyclic object (V1)', cycle, '1'],
      ['a cyclic object (V2)', cycle, '2'],
      ['a function', () => () => 'x', '2'],
      ['a symbol', () => Symbol('x'), '2'],
      ['NaN', () => Number.NaN, '2'],
      ['binary data', () => new Uint8Array([1]), '2'],
    ])('rejects a claim function returning %s with a ClaimError naming the claim', async (_label, value, version) => {
      ddb.on(UpdateItemCommand).resolves(storedRow());
      const { handler } = setup({ failOpen: false, claims: { odd: value as never } });
      const event = buildPreTokenGenerationEvent({ sub: SUB, version });
      const before = structuredClone(event);

      const error = await handler(event, buildLambdaContext()).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ClaimError);
      expect(error).toMatchObject({ claim: 'claims.odd' });
      expect(event).toEqual(before);
    });
  });

  describe('override containers', () => {
    const claimsOf = (response: any, token: 'idTokenGeneration' | 'accessTokenGeneration') =>
      response.claimsAndScopeOverrideDetails?.[token]?.claimsToAddOrOverride;

    // The Cognito developer guide's own V2 test event sends `claimsAndScopeOverrideDetails: []`.
    it.each<[string, (response: any) => void]>([
      ['claimsAndScopeOverrideDetails: [] (the developer guide test event)', (r) => (r.claimsAndScopeOverrideDetails = [])],
      ['claimsAndScopeOverrideDetails: "x"', (r) => (r.claimsAndScopeOverrideDetails = 'x')],
      ['claimsAndScopeOverrideDetails: null', (r) => (r.claimsAndScopeOverrideDetails = null)],
      ['idTokenGeneration: []', (r) => (r.claimsAndScopeOverrideDetails = { idTokenGeneration: [] })],
      ['accessTokenGeneration: 5', (r) => (r.claimsAndScopeOverrideDetails = { accessTokenGeneration: 5 })],
      ['claimsToAddOrOverride: []', (r) => (r.claimsAndScopeOverrideDetails = { idTokenGeneration: { claimsToAddOrOverride: [] } })],
    ])('V2: replaces %s by an object, so the claims survive JSON', async (_label, shape) => {
      ddb.on(UpdateItemCommand).resolves(storedRow());
      const { handler, logger } = setup({ failOpen: false, claims: { plan: 'plan' }, accessTokenClaims: { tier: 'plan' } });
      const event = buildPreTokenGenerationEvent({ sub: SUB, version: '2' });
      shape(event.response);

      const result = JSON.parse(JSON.stringify(await handler(event, buildLambdaContext())));

      expect(claimsOf(result.response, 'idTokenGeneration')).toEqual({ plan: 'pro' });
      expect(claimsOf(result.response, 'accessTokenGeneration')).toEqual({ tier: 'pro' });
      expect(logger.records[0]!.record).toMatchObject({ outcome: 'updated', claims: 2 });
    });

    it.each<[string, (response: any) => void]>([
      ['claimsOverrideDetails: []', (r) => (r.claimsOverrideDetails = [])],
      ['claimsOverrideDetails: 5', (r) => (r.claimsOverrideDetails = 5)],
      ['claimsToAddOrOverride: "x"', (r) => (r.claimsOverrideDetails = { claimsToAddOrOverride: 'x' })],
    ])('V1: replaces %s by an object, so the claims survive JSON', async (_label, shape) => {
      ddb.on(UpdateItemCommand).resolves(storedRow());
      const { handler } = setup({ failOpen: false, claims: { plan: 'plan' } });
      const event = buildPreTokenGenerationEvent({ sub: SUB, version: '1' });
      shape(event.response);

      const result = JSON.parse(JSON.stringify(await handler(event, buildLambdaContext())));

      expect(result.response.claimsOverrideDetails.claimsToAddOrOverride).toEqual({ plan: 'pro' });
    });

    it('keeps what an earlier step set in plain containers', async () => {
      ddb.on(UpdateItemCommand).resolves(storedRow());
      const { handler } = setup({ claims: { plan: 'plan' } });
      const event = buildPreTokenGenerationEvent({ sub: SUB, version: '3' });
      (event.response as any).claimsAndScopeOverrideDetails = {
        groupOverrideDetails: { groupsToOverride: ['admins'] },
        idTokenGeneration: { claimsToSuppress: ['email'], claimsToAddOrOverride: { earlier: 'kept' } },
      };

      const result = await handler(event, buildLambdaContext());

      expect(result.response).toEqual({
        claimsAndScopeOverrideDetails: {
          groupOverrideDetails: { groupsToOverride: ['admins'] },
          idTokenGeneration: { claimsToSuppress: ['email'], claimsToAddOrOverride: { earlier: 'kept', plan: 'pro' } },
        },
      });
    });
  });

  describe('claims read from DynamoDB sets and large numbers', () => {
    const row = () =>
      storedRow({ tags: new Set(['a', 'b']), lucky: new Set([7, 3]), prefs: { topics: new Set(['x']) }, big: 12345678901234567890n });
    const claims = { tags: 'tags', lucky: 'lucky', prefs: 'prefs', big: 'big' };

    it.each(['2', '3'] as const)('V%s: passes sets as arrays and large numbers as strings, surviving JSON', async (version) => {
      ddb.on(UpdateItemCommand).resolves(row());
      const { handler } = setup({ failOpen: false, claims, accessTokenClaims: { tags: 'tags' } });

      const result = JSON.parse(JSON.stringify(await handler(buildPreTokenGenerationEvent({ sub: SUB, version }), buildLambdaContext())));

      expect(result.response.claimsAndScopeOverrideDetails).toEqual({
        idTokenGeneration: {
          claimsToAddOrOverride: { tags: ['a', 'b'], lucky: [7, 3], prefs: { topics: ['x'] }, big: '12345678901234567890' },
        },
        accessTokenGeneration: { claimsToAddOrOverride: { tags: ['a', 'b'] } },
      });
    });

    it('V1: writes them as JSON strings, nested sets as arrays', async () => {
      ddb.on(UpdateItemCommand).resolves(row());
      const { handler } = setup({ failOpen: false, claims });

      const result = await handler(buildPreTokenGenerationEvent({ sub: SUB, version: '1' }), buildLambdaContext());

      expect((result.response as any).claimsOverrideDetails.claimsToAddOrOverride).toEqual({
        tags: '["a","b"]',
        lucky: '[7,3]',
        prefs: '{"topics":["x"]}',
        big: '12345678901234567890',
      });
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
