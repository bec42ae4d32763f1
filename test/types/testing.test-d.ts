import type {
  PostConfirmationTriggerEvent,
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
  PreTokenGenerationV3TriggerEvent,
} from 'aws-lambda';
import { describe, expectTypeOf, it } from 'vitest';
import { createPreTokenGenerationHandler, type CognitoApiCallEvent } from '../../src/index.js';
import {
  buildCognitoApiCallEvent,
  buildPostConfirmationEvent,
  buildPreTokenGenerationEvent,
  type PreTokenGenerationEventOptions,
  type PreTokenGenerationV3Event,
} from '../../src/testing/index.js';

describe('/testing builder types', () => {
  it('narrows the pre token generation event by version', () => {
    expectTypeOf(buildPreTokenGenerationEvent()).toEqualTypeOf<PreTokenGenerationTriggerEvent>();
    expectTypeOf(buildPreTokenGenerationEvent({ version: '1' })).toEqualTypeOf<PreTokenGenerationTriggerEvent>();
    expectTypeOf(buildPreTokenGenerationEvent({ version: '2' })).toEqualTypeOf<PreTokenGenerationV2TriggerEvent>();
    expectTypeOf(buildPreTokenGenerationEvent({ version: '3' })).toEqualTypeOf<PreTokenGenerationV3Event>();
    expectTypeOf<PreTokenGenerationV3TriggerEvent>().toMatchTypeOf<PreTokenGenerationV3Event>();
  });

  it('gives the union for a version known only at run time', () => {
    const version = '2' as '1' | '2' | '3';
    expectTypeOf(buildPreTokenGenerationEvent({ version })).toEqualTypeOf<
      PreTokenGenerationTriggerEvent | PreTokenGenerationV2TriggerEvent | PreTokenGenerationV3Event
    >();
  });

  it('types overrides per version', () => {
    // @ts-expect-error V1 events carry no scopes
    buildPreTokenGenerationEvent({ version: '1', scopes: ['openid'] });
    // @ts-expect-error TokenGeneration_ClientCredentials exists only in V3
    buildPreTokenGenerationEvent({ version: '2', triggerSource: 'TokenGeneration_ClientCredentials' });
    // @ts-expect-error a V1 response has no claimsAndScopeOverrideDetails
    buildPreTokenGenerationEvent({ response: { claimsAndScopeOverrideDetails: {} } });
    buildPreTokenGenerationEvent({ version: '3', triggerSource: 'TokenGeneration_ClientCredentials' });
    buildPreTokenGenerationEvent({ groupConfiguration: { preferredRole: null }, clientMetadata: { a: 'b' }, clientId: null });
    expectTypeOf<PreTokenGenerationEventOptions>().toHaveProperty('groupConfiguration');
  });

  it('builds events the handlers take', () => {
    const handler = createPreTokenGenerationHandler({ table: 'profiles' });
    expectTypeOf(handler).toBeCallableWith(buildPreTokenGenerationEvent({ version: '3' }), {} as never);
    expectTypeOf(buildPostConfirmationEvent()).toEqualTypeOf<PostConfirmationTriggerEvent>();
    expectTypeOf(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser' })).toEqualTypeOf<CognitoApiCallEvent>();
    // @ts-expect-error the redaction marker is one of the two CloudTrail writes
    buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', redactionMarker: 'REDACTED' });
  });
});
