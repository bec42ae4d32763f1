import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamHandler,
  SQSBatchResponse,
  SQSEvent,
  SQSHandler,
} from 'aws-lambda';
import { describe, expectTypeOf, it } from 'vitest';
import { createAdminChangeBatchHandler, type AdminChangeBatchOptions } from '../../src/index.js';
import { buildKinesisStreamEvent, buildSqsEvent } from '../../src/testing/index.js';

describe('admin-change batch handler types', () => {
  const handler = createAdminChangeBatchHandler({ table: 'profiles', userPoolId: 'eu-west-1_AbC123' });

  it('answers a Kinesis batch with a Kinesis response and an SQS batch with an SQS one', () => {
    expectTypeOf(handler(buildKinesisStreamEvent({ events: [] }))).toEqualTypeOf<Promise<KinesisStreamBatchResponse>>();
    expectTypeOf(handler(buildSqsEvent({ events: [] }))).toEqualTypeOf<Promise<SQSBatchResponse>>();
    expectTypeOf(buildKinesisStreamEvent).returns.toEqualTypeOf<KinesisStreamEvent>();
    expectTypeOf(buildSqsEvent).returns.toEqualTypeOf<SQSEvent>();
  });

  it('is a KinesisStreamHandler and an SQSHandler', () => {
    const kinesis: KinesisStreamHandler = handler;
    const sqs: SQSHandler = handler;
    expectTypeOf(kinesis).toBeFunction();
    expectTypeOf(sqs).toBeFunction();
    expectTypeOf(handler).parameter(1).toEqualTypeOf<Context | undefined>();
  });

  it('takes a Cognito client or its config, not both', () => {
    expectTypeOf<{ table: string; userPoolId: string; concurrency: number; listUsersPerSecond: number }>().toMatchTypeOf<AdminChangeBatchOptions>();
    // @ts-expect-error: cognitoClient and cognitoClientConfig are exclusive
    createAdminChangeBatchHandler({ table: 't', userPoolId: 'eu-west-1_A', cognitoClient: {} as CognitoIdentityProviderClient, cognitoClientConfig: {} });
  });
});
