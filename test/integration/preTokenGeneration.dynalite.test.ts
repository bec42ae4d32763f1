import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostConfirmationHandler, createPreTokenGenerationHandler } from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';

let dynamo: TestDynamo;
const TABLE = 'ptg-profiles';

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(TABLE);
});
afterAll(async () => {
  await dynamo?.stop();
});

describe('PreTokenGeneration against dynalite', () => {
  const table = () => ({ name: TABLE, client: dynamo.client });

  it("never writes personal data back onto a deleted user's tombstone, and the sign-in goes on", async () => {
    const handler = createPreTokenGenerationHandler({ table: table(), logger: recordingLogger() });
    const event = buildPreTokenGenerationEvent({ userAttributes: { email: 'gone@example.com', name: 'Gone' } });
    const sub = event.request.userAttributes.sub!;
    const tombstone = { userId: { S: sub }, deletedAt: { S: '2026-01-01T00:00:00.000Z' }, updatedAt: { S: '2026-01-01T00:00:00.000Z' } };
    await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: tombstone }));

    await expect(handler(event, buildLambdaContext())).resolves.toBe(event);

    expect(await dynamo.getItem(TABLE, { userId: sub })).toEqual({ userId: sub, deletedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('creates a missing row at first sign-in, then updates it keeping createdAt and fields it does not own', async () => {
    // Prepare
    const logger = recordingLogger();
    const handler = createPreTokenGenerationHandler({ table: table(), logger, claims: { plan: 'plan' } });
    const first = buildPreTokenGenerationEvent({ triggerSource: 'TokenGeneration_NewPasswordChallenge', userAttributes: { email: 'old@example.com' } });
    const sub = first.request.userAttributes.sub!;

    // Act
    await handler(first, buildLambdaContext());
    const created = await dynamo.getItem(TABLE, { userId: sub });
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { userId: { S: sub } },
        UpdateExpression: 'SET #plan = :plan',
        ExpressionAttributeNames: { '#plan': 'plan' },
        ExpressionAttributeValues: { ':plan': { S: 'gold' } },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = buildPreTokenGenerationEvent({ sub, userAttributes: { email: 'new@example.com' } });
    const result = await handler(second, buildLambdaContext());
    const updated = await dynamo.getItem(TABLE, { userId: sub });

    // Assess
    expect(created).toMatchObject({ userId: sub, email: 'old@example.com', lastLoginAt: created?.createdAt });
    expect(updated).toMatchObject({ email: 'new@example.com', plan: 'gold', createdAt: created?.createdAt });
    expect(updated?.lastLoginAt).not.toBe(created?.lastLoginAt);
    expect((result.response as any).claimsOverrideDetails.claimsToAddOrOverride).toEqual({ plan: 'gold' });
    expect(logger.records.map(({ record }) => record.outcome)).toEqual(['created', 'updated']);
  });

  it('keeps the welcome bookkeeping that PostConfirmation wrote', async () => {
    const confirm = createPostConfirmationHandler({ table: table(), logger: recordingLogger(), onWelcome: async () => undefined });
    const signIn = createPreTokenGenerationHandler({ table: table(), logger: recordingLogger() });
    const event = buildPostConfirmationEvent();
    const sub = event.request.userAttributes.sub!;

    await confirm(event, buildLambdaContext());
    await signIn(buildPreTokenGenerationEvent({ sub }), buildLambdaContext());

    expect(await dynamo.getItem(TABLE, { userId: sub })).toMatchObject({ welcomeSentAt: expect.any(String), lastLoginAt: expect.any(String) });
  });
});
