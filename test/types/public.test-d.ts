import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createPostConfirmationHandler,
  withProfileSync,
  type AttributeMapper,
  type PreTokenGenerationOptions,
  type ProfileSyncOptions,
  type WelcomeSender,
} from '../../src/index.js';

describe('public types', () => {
  it('a handler takes and returns the PostConfirmation event', () => {
    const handler = createPostConfirmationHandler({ table: 'profiles' });
    expectTypeOf(handler).parameters.toEqualTypeOf<[PostConfirmationTriggerEvent, Context]>();
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<PostConfirmationTriggerEvent>();
  });

  it('table takes a client or a client config, not both', () => {
    const client = new DynamoDBClient({});
    expectTypeOf({ table: { name: 'p', client } }).toMatchTypeOf<ProfileSyncOptions>();
    expectTypeOf({ table: { name: 'p', clientConfig: { region: 'eu-west-1' } } }).toMatchTypeOf<ProfileSyncOptions>();
    expectTypeOf({ table: { name: 'p', client, clientConfig: {} } }).not.toMatchTypeOf<ProfileSyncOptions>();
  });

  it('mappers and welcome senders are plain functions', () => {
    expectTypeOf<AttributeMapper>().parameter(0).toEqualTypeOf<Readonly<Record<string, string>>>();
    expectTypeOf<WelcomeSender>().parameter(1).toHaveProperty('signal').toEqualTypeOf<AbortSignal>();
  });

  it('withProfileSync only knows the documented runExisting modes', () => {
    // @ts-expect-error 'sometimes' is not a mode
    withProfileSync({ table: 'p', runExisting: 'sometimes' });
    expectTypeOf(withProfileSync({ table: 'p' })).parameter(0).toBeFunction();
  });

  it('the sign-in handler takes the same welcome options as PostConfirmation', () => {
    expectTypeOf<PreTokenGenerationOptions['onWelcome']>().toEqualTypeOf<ProfileSyncOptions['onWelcome']>();
    expectTypeOf<PreTokenGenerationOptions['welcomeDelivery']>().toEqualTypeOf<ProfileSyncOptions['welcomeDelivery']>();
    expectTypeOf<PreTokenGenerationOptions['welcomeLeaseMs']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<PreTokenGenerationOptions['welcomeSources']>().toEqualTypeOf<readonly string[] | undefined>();
    // @ts-expect-error a delivery policy the library does not have
    expectTypeOf({ table: 'p', welcomeDelivery: 'exactly-once' }).toMatchTypeOf<PreTokenGenerationOptions>();
  });
});
