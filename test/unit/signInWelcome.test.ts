import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  createPreTokenGenerationHandler,
  type PreTokenGenerationOptions,
  type Profile,
  type WelcomeContext,
} from '../../src/index.js';
import { preTokenGenerationMiddleware } from '../../src/middy.js';
import { buildLambdaContext, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const SUB = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const NOW = new Date('2026-06-07T08:09:10.000Z');
const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const firstSignIn = () => buildPreTokenGenerationEvent({ sub: SUB, triggerSource: 'TokenGeneration_NewPasswordChallenge' });

function setup(options: Partial<PreTokenGenerationOptions> = {}) {
  const sent: { profile: Profile; context: WelcomeContext }[] = [];
  const onWelcome = vi.fn(async (profile: Profile, context: WelcomeContext) => void sent.push({ profile, context }));
  const logger = recordingLogger();
  const handler = createPreTokenGenerationHandler({ table: { name: 'profiles', client }, logger, onWelcome, ...options });
  return { handler, logger, onWelcome, sent };
}

const inputs = () => ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);

describe('the welcome options of createPreTokenGenerationHandler', () => {
  const table = { name: 'profiles', client };
  const noWelcome = async (): Promise<void> => undefined;

  it.each([
    ['onWelcome', { onWelcome: 'send' }, /`onWelcome`: must be a function/],
    ['welcomeSources', { onWelcome: noWelcome, welcomeSources: 'TokenGeneration_NewPasswordChallenge' }, /`welcomeSources`: must be an array/],
    ['welcomeSources', { onWelcome: noWelcome, welcomeSources: ['NewPasswordChallenge'] }, /pre token generation sources \(TokenGeneration_\.\.\.\), got "NewPasswordChallenge"/],
    ['welcomeSources', { onWelcome: noWelcome, welcomeSources: ['TokenGeneration_RefreshTokens'] }, /"TokenGeneration_RefreshTokens" is in skipTriggerSources too/],
    ['welcomeLeaseMs', { onWelcome: noWelcome, welcomeLeaseMs: 4000 }, /must exceed deadlineMs \(4500 ms\)/],
    ['welcomeLeaseMs', { onWelcome: noWelcome, deadlineMs: 90_000 }, /must exceed deadlineMs \(90000 ms\).*the default, 60000/],
    ['welcomeDelivery', { onWelcome: noWelcome, welcomeDelivery: 'exactly-once' }, /must be 'at-most-once' or 'at-least-once'/],
  ])('refuses a bad %s when the handler is created', (option, given, message) => {
    const create = () => createPreTokenGenerationHandler({ table, ...(given as Partial<PreTokenGenerationOptions>) });

    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
    expect(() => create()).toThrow(expect.objectContaining({ option }));
  });

  it('accepts welcome sources a team chooses, and the welcome options without onWelcome', () => {
    expect(() => createPreTokenGenerationHandler({ table, onWelcome: noWelcome, welcomeSources: ['TokenGeneration_HostedAuth'] })).not.toThrow();
    expect(() => createPreTokenGenerationHandler({ table, welcomeSources: [], welcomeLeaseMs: 2000 })).not.toThrow();
  });
});

describe('the welcome at sign-in, as DynamoDB commands', () => {
  beforeEach(() => vi.useFakeTimers({ now: NOW, toFake: ['Date'] }));
  afterEach(() => {
    vi.useRealTimers();
    ddb.reset();
  });

  it('takes the claim in the sync\'s own UpdateItem, under the protocol\'s condition, then marks it sent', async () => {
    // Prepare
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB, createdAt: NOW.toISOString(), welcomeClaimId: 'x', welcomeClaimExpiresAt: 1 }) });
    const { handler, sent } = setup({ welcomeLeaseMs: 30_000 });

    // Act
    await handler(firstSignIn(), buildLambdaContext());

    // Assess
    const [sync, mark] = inputs();
    expect(sync!.ConditionExpression).toBe('attribute_not_exists(#deletedAt) AND attribute_not_exists(#sentAt) AND attribute_not_exists(#expiresAt)');
    expect(sync!.UpdateExpression).toMatch(/^SET .*#claimId = :claimId, #expiresAt = :expiresAt REMOVE #failedAt$/);
    expect(sync!.ExpressionAttributeNames).toMatchObject({
      '#sentAt': 'welcomeSentAt',
      '#claimId': 'welcomeClaimId',
      '#expiresAt': 'welcomeClaimExpiresAt',
      '#failedAt': 'welcomeFailedAt',
    });
    const values = unmarshall(sync!.ExpressionAttributeValues!);
    expect(values[':expiresAt']).toBe(NOW.getTime() + 30_000);
    expect(values[':claimId']).toEqual(expect.any(String));
    expect(values).not.toHaveProperty(':claimNow');
    expect(sync!.ReturnValues).toBe('ALL_NEW');
    expect(mark!.UpdateExpression).toBe('SET #sentAt = :sentAt REMOVE #claimId, #expiresAt, #failedAt');
    expect(inputs()).toHaveLength(2);
    expect(sent).toHaveLength(1);
  });

  it("takes over an unknown welcome's claim with 'at-least-once'", async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB }) });
    const { handler } = setup({ welcomeDelivery: 'at-least-once' });

    await handler(firstSignIn(), buildLambdaContext());

    const [sync] = inputs();
    expect(sync!.ConditionExpression).toBe(
      'attribute_not_exists(#deletedAt) AND attribute_not_exists(#sentAt) AND (attribute_not_exists(#expiresAt) OR #expiresAt < :claimNow)',
    );
    expect(unmarshall(sync!.ExpressionAttributeValues!)[':claimNow']).toBe(NOW.getTime());
  });

  it('writes the sync alone, and sends nothing, when the claim\'s condition fails', async () => {
    // Prepare
    ddb.on(UpdateItemCommand).rejectsOnce(ccf()).resolves({ Attributes: marshall({ userId: SUB, plan: 'pro' }) });
    const { handler, logger, onWelcome } = setup({ claims: { plan: 'plan' } });

    // Act
    const result = await handler(firstSignIn(), buildLambdaContext());

    // Assess
    const [, plain] = inputs();
    expect(inputs()).toHaveLength(2);
    expect(plain!.ConditionExpression).toBe('attribute_not_exists(#deletedAt)');
    expect(Object.values(plain!.ExpressionAttributeNames!).filter((name) => name.startsWith('welcome'))).toEqual([]);
    expect(onWelcome).not.toHaveBeenCalled();
    expect((result.response as any).claimsOverrideDetails.claimsToAddOrOverride).toEqual({ plan: 'pro' });
    expect(logger.records.map(({ record }) => record.welcome)).toEqual(['skipped']);
  });

  it('writes no claim on a source that does not welcome', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB }) });
    const { handler, onWelcome } = setup();

    await handler(buildPreTokenGenerationEvent({ sub: SUB }), buildLambdaContext());

    expect(inputs()).toHaveLength(1);
    expect(inputs()[0]!.ConditionExpression).toBe('attribute_not_exists(#deletedAt)');
    expect(onWelcome).not.toHaveBeenCalled();
  });

  it.each([true, false])('sends nothing when the sync cannot be written (failOpen %s)', async (failOpen) => {
    ddb.on(UpdateItemCommand).rejects(new Error('DynamoDB is down'));
    const { handler, logger, onWelcome } = setup({ failOpen });
    const event = firstSignIn();

    const result = handler(event, buildLambdaContext());

    if (failOpen) await expect(result).resolves.toBe(event);
    else await expect(result).rejects.toMatchObject({ name: 'ProfileWriteError' });
    expect(onWelcome).not.toHaveBeenCalled();
    expect(logger.records.map(({ level, record }) => `${level} ${record.outcome}/${record.welcome}`)).toEqual(['error failed/off']);
  });

  it('gives the welcome a confirmation built from a V2 sign-in', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB }) });
    const { handler, sent } = setup();
    const event = buildPreTokenGenerationEvent({
      version: '2',
      sub: SUB,
      userName: 'grace',
      userPoolId: 'eu-west-1_AbCdEf123',
      clientId: 'client-7',
      triggerSource: 'TokenGeneration_NewPasswordChallenge',
    });

    await handler(event, buildLambdaContext());

    expect(sent[0]!.context.event).toMatchObject({
      version: '1',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_AbCdEf123',
      userName: 'grace',
      callerContext: { clientId: 'client-7' },
      request: { userAttributes: event.request.userAttributes },
      response: {},
    });
    expect(sent[0]!.context.lambdaContext).toBeDefined();
  });
});

describe('preTokenGenerationMiddleware with a welcome', () => {
  afterEach(() => ddb.reset());

  it('runs the welcome once before the handler, with the same options', async () => {
    // Prepare
    ddb.on(UpdateItemCommand).resolvesOnce({ Attributes: marshall({ userId: SUB }) }).resolvesOnce({}).rejects(ccf());
    const order: string[] = [];
    const onWelcome = async () => void order.push('welcome');
    const handler = middy(async (event: unknown) => {
      order.push('handler');
      return event;
    }).use(preTokenGenerationMiddleware({ table: { name: 'profiles', client }, onWelcome, logger: recordingLogger() }));

    // Act
    await handler(firstSignIn(), buildLambdaContext());
    await handler(firstSignIn(), buildLambdaContext());

    // Assess
    expect(order).toEqual(['welcome', 'handler', 'handler']);
  });
});
