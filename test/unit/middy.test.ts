import middy from '@middy/core';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withProfileSync } from '../../src/index.js';
import { preTokenGenerationMiddleware, profileSyncMiddleware } from '../../src/middy.js';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

const ddb = mockClient(DynamoDBClient);
const table = { name: 'profiles', client: new DynamoDBClient({ region: 'us-east-1' }) };
const ccf = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

/** The same behaviour through both front ends: the wrapper and the Middy middleware. */
const frontEnds = [
  {
    type: 'wrapper',
    wrap: (existing: (e: PostConfirmationTriggerEvent) => Promise<PostConfirmationTriggerEvent>, runNext: 'always' | 'unless-skipped') =>
      withProfileSync({ table, runExisting: runNext, logger: recordingLogger() })(existing),
  },
  {
    type: 'middleware',
    wrap: (existing: (e: PostConfirmationTriggerEvent) => Promise<PostConfirmationTriggerEvent>, runNext: 'always' | 'unless-skipped') =>
      middy(existing).use(profileSyncMiddleware({ table, runNext, logger: recordingLogger() })),
  },
];

describe.each(frontEnds)('PostConfirmation sync as a $type', ({ wrap }) => {
  afterEach(() => ddb.reset());

  it('writes the row before the existing handler runs', async () => {
    const order: string[] = [];
    ddb.on(PutItemCommand).callsFake(() => {
      order.push('put');
      return {};
    });
    const handler = wrap(async (event) => {
      order.push('handler');
      return event;
    }, 'always');

    await handler(buildPostConfirmationEvent(), buildLambdaContext());

    expect(order).toEqual(['put', 'handler']);
  });

  it('answers a skipped source itself with unless-skipped', async () => {
    const existing = vi.fn(async (event: PostConfirmationTriggerEvent) => event);
    const handler = wrap(existing, 'unless-skipped');
    const event = buildPostConfirmationEvent({ triggerSource: 'PostConfirmation_ConfirmForgotPassword' });

    await expect(handler(event, buildLambdaContext())).resolves.toEqual(event);

    expect(existing).not.toHaveBeenCalled();
    expect(ddb.calls()).toHaveLength(0);
  });

  it('still runs the existing handler on a duplicate delivery with always', async () => {
    ddb.on(PutItemCommand).rejects(ccf());
    const existing = vi.fn(async (event: PostConfirmationTriggerEvent) => event);

    await wrap(existing, 'always')(buildPostConfirmationEvent(), buildLambdaContext());

    expect(existing).toHaveBeenCalledTimes(1);
  });

  it('does not run the existing handler when the profile write fails', async () => {
    ddb.on(PutItemCommand).rejects(new Error('down'));
    const existing = vi.fn(async (event: PostConfirmationTriggerEvent) => event);

    await expect(wrap(existing, 'always')(buildPostConfirmationEvent(), buildLambdaContext())).rejects.toMatchObject({
      name: 'ProfileWriteError',
    });
    expect(existing).not.toHaveBeenCalled();
  });
});

describe('preTokenGenerationMiddleware', () => {
  afterEach(() => ddb.reset());

  it('sets the profile claims before the handler, which can add its own', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: 'u', plan: 'pro' }) });
    const handler = middy(async (event: any) => {
      event.response.claimsOverrideDetails.claimsToAddOrOverride.team = 'blue';
      return event;
    }).use(preTokenGenerationMiddleware({ table, claims: { plan: 'plan' }, logger: recordingLogger() }));

    const result = await handler(buildPreTokenGenerationEvent({ version: '1' }), buildLambdaContext());

    expect(result.response.claimsOverrideDetails.claimsToAddOrOverride).toEqual({ plan: 'pro', team: 'blue' });
  });
});
