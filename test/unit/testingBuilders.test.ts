/**
 * The `/testing` builders against what real validators and real events say: Powertools for
 * AWS Lambda's parser schemas (the validator most TypeScript Lambda teams use) and the public
 * samples in test/fixtures/events/.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EventBridgeSchema,
  PostConfirmationTriggerSchema,
  PreTokenGenerationTriggerSchemaV1,
  PreTokenGenerationTriggerSchemaV2AndV3,
} from '@aws-lambda-powertools/parser/schemas';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ADMIN_CHANGE_EVENT_NAMES } from '../../src/index.js';
import {
  buildCognitoApiCallEvent,
  buildPostConfirmationEvent,
  buildPreTokenGenerationEvent,
} from '../../src/testing/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/events');
const sample = (path: string): any => JSON.parse(readFileSync(join(FIXTURES, path), 'utf8'));

/** The paths of the fields a schema refused. */
function refusedPaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

/** A value's structure: keys and JSON types, down to the leaves (arrays by their first item). */
function shape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'array' : [shape(value[0])];
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shape(item)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  }
  return typeof value;
}

const USER_SOURCES = [
  'TokenGeneration_HostedAuth',
  'TokenGeneration_Authentication',
  'TokenGeneration_NewPasswordChallenge',
  'TokenGeneration_AuthenticateDevice',
  'TokenGeneration_RefreshTokens',
] as const;

describe('buildPostConfirmationEvent', () => {
  it('passes Powertools PostConfirmationTriggerSchema for PostConfirmation_ConfirmSignUp, with nothing the schema does not know', () => {
    const event = buildPostConfirmationEvent({ clientMetadata: { plan: 'pro' } });

    expect(PostConfirmationTriggerSchema.parse(event)).toEqual(event);
  });

  it('passes the same schema for PostConfirmation_ConfirmForgotPassword in every field but the source', () => {
    // Powertools' PostConfirmationTriggerSchema only admits `PostConfirmation_ConfirmSignUp`
    // (a `z.literal`), although Cognito sends this trigger with both sources. So the rest of
    // the event is checked against the same schema, with the source widened to this one.
    const event = buildPostConfirmationEvent({ triggerSource: 'PostConfirmation_ConfirmForgotPassword' });
    const forgotPassword = PostConfirmationTriggerSchema.extend({
      triggerSource: z.literal('PostConfirmation_ConfirmForgotPassword'),
    });

    expect(refusedPaths(PostConfirmationTriggerSchema, event)).toEqual(['triggerSource']);
    expect(forgotPassword.parse(event)).toEqual(event);
  });

  it('has the structure of a real ConfirmSignUp delivery, clientId null included', () => {
    const real = sample('post-confirmation/powertools-ts-admin-confirm-sign-up.json');
    const built = buildPostConfirmationEvent({ clientId: null, userAttributes: { name: undefined } });

    expect(shape(built)).toEqual(shape(real));
    // Cognito sends clientId null for AdminConfirmSignUp, which Powertools' schema refuses.
    expect(refusedPaths(PostConfirmationTriggerSchema, built)).toEqual(['callerContext.clientId']);
  });
});

describe('buildPreTokenGenerationEvent', () => {
  it.each(USER_SOURCES)('V1 %s passes Powertools PreTokenGenerationTriggerSchemaV1', (triggerSource) => {
    const event = buildPreTokenGenerationEvent({ triggerSource });

    expect(refusedPaths(PreTokenGenerationTriggerSchemaV1, event)).toEqual([]);
    expect(event).toMatchObject({ version: '1', triggerSource, response: { claimsOverrideDetails: null } });
    expect(event.request).not.toHaveProperty('scopes');
  });

  it.each([
    ...USER_SOURCES.map((source) => ['2', source] as const),
    ...[...USER_SOURCES, 'TokenGeneration_ClientCredentials' as const].map((source) => ['3', source] as const),
  ])('V%s %s passes Powertools PreTokenGenerationTriggerSchemaV2AndV3', (version, triggerSource) => {
    const event =
      version === '2'
        ? buildPreTokenGenerationEvent({ version, triggerSource: triggerSource as (typeof USER_SOURCES)[number] })
        : buildPreTokenGenerationEvent({ version, triggerSource });

    expect(refusedPaths(PreTokenGenerationTriggerSchemaV2AndV3, event)).toEqual([]);
    expect(event).toMatchObject({
      version,
      triggerSource,
      request: { scopes: ['aws.cognito.signin.user.admin'] },
      response: { claimsAndScopeOverrideDetails: null },
    });
  });

  it('sends preferredRole null by default, which Powertools requires (the field left out is refused)', () => {
    const event = buildPreTokenGenerationEvent();
    const withoutRole = structuredClone(event) as any;
    delete withoutRole.request.groupConfiguration.preferredRole;

    expect(event.request.groupConfiguration).toEqual({ groupsToOverride: [], iamRolesToOverride: [], preferredRole: null });
    expect(refusedPaths(PreTokenGenerationTriggerSchemaV1, withoutRole)).toEqual(['request.groupConfiguration.preferredRole']);
  });

  it('takes every override a test needs and still passes the schemas', () => {
    const response = {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { plan: 'gold' }, claimsToSuppress: ['email'] },
        accessTokenGeneration: { scopesToAdd: ['orders/read'] },
        groupOverrideDetails: { groupsToOverride: ['admins'] },
      },
    };
    const event = buildPreTokenGenerationEvent({
      version: '2',
      triggerSource: 'TokenGeneration_HostedAuth',
      groupConfiguration: {
        groupsToOverride: ['admins'],
        iamRolesToOverride: ['arn:aws:iam::123456789012:role/admins'],
        preferredRole: 'arn:aws:iam::123456789012:role/admins',
      },
      scopes: ['openid', 'email', 'orders/read'],
      clientMetadata: { source: 'test' },
      response,
    });

    expect(refusedPaths(PreTokenGenerationTriggerSchemaV2AndV3, event)).toEqual([]);
    expect(event.request).toMatchObject({
      groupConfiguration: { preferredRole: 'arn:aws:iam::123456789012:role/admins', groupsToOverride: ['admins'] },
      scopes: ['openid', 'email', 'orders/read'],
      clientMetadata: { source: 'test' },
    });
    expect(event.response).toEqual(response);
    expect(event.response).not.toBe(response);
  });

  it('has the request structure of the real V1 and V2 samples', () => {
    const v1 = buildPreTokenGenerationEvent({ userAttributes: { name: undefined } });
    const v2 = buildPreTokenGenerationEvent({ version: '2', userAttributes: { name: undefined, 'cognito:email_alias': 'a@example.com' } });
    const realV1 = sample('pre-token-generation/powertools-python-v1.json');
    const realV2 = sample('pre-token-generation/aws-lambda-go-v2_0.json');

    const { response: _v1, ...v1Rest } = v1;
    const { response: _realV1, ...realV1Rest } = realV1;
    expect(shape(v1Rest)).toEqual(shape(realV1Rest));
    expect(shape(v2.request)).toEqual(shape(realV2.request));
    expect(Object.keys(v2).sort()).toEqual(Object.keys(realV2).sort());
  });
});

describe('buildCognitoApiCallEvent', () => {
  it.each([...ADMIN_CHANGE_EVENT_NAMES, 'SignUp'])('%s passes Powertools EventBridgeSchema', (eventName) => {
    const event = buildCognitoApiCallEvent({ eventName });

    expect(EventBridgeSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.cognito-idp' });
  });

  it('writes the record fields of a real CloudTrail record, with the call failed too', () => {
    const real = sample('cloudtrail/devguide-hosted-ui-signup-post.json');
    const { serviceEventDetails: _onlyForServiceEvents, ...apiCallFields } = real;

    const ok = buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes' });
    const failed = buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', errorCode: 'UserNotFoundException' });

    expect(Object.keys(ok.detail).sort()).toEqual(Object.keys(apiCallFields).sort());
    expect(Object.keys(failed.detail).sort()).toEqual([...Object.keys(apiCallFields), 'errorCode', 'errorMessage'].sort());
    expect(EventBridgeSchema.parse(failed)).toEqual(failed);
  });

  it('records admin calls with the pool and a redacted user name, self-service calls with a redacted access token', () => {
    const admin = buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: 'abc', userPoolId: 'eu-west-1_AbC' });
    const self = buildCognitoApiCallEvent({ eventName: 'UpdateUserAttributes', sub: 'abc', redactionMarker: 'HIDDEN_FOR_SECURITY_REASONS' });

    expect(admin).toMatchObject({ region: 'eu-west-1', detail: { awsRegion: 'eu-west-1', additionalEventData: { sub: 'abc' } } });
    expect(admin.detail.requestParameters).toEqual({
      userPoolId: 'eu-west-1_AbC',
      username: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      userAttributes: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    });
    expect(self.detail.requestParameters).toEqual({
      accessToken: 'HIDDEN_FOR_SECURITY_REASONS',
      userAttributes: 'HIDDEN_FOR_SECURITY_REASONS',
    });
    expect(self.detail.userIdentity).toEqual({ type: 'Unknown', principalId: 'Anonymous' });
  });

  it('records SignUp with the sub in responseElements.userSub, and takes overrides of every part', () => {
    const signUp = buildCognitoApiCallEvent({ eventName: 'SignUp', sub: 'new-sub' });
    const custom = buildCognitoApiCallEvent({
      eventName: 'AdminDeleteUser',
      sub: null,
      requestParameters: { username: 'b3c4d5e6-0000-4000-8000-000000000001' },
      responseElements: { deleted: true },
      additionalEventData: { note: 'x' },
    });

    expect(signUp.detail.additionalEventData).toBeUndefined();
    expect(signUp.detail.responseElements).toMatchObject({ userSub: 'new-sub', userConfirmed: false });
    expect(custom.detail).toMatchObject({
      requestParameters: { userPoolId: 'us-east-1_EXAMPLE01', username: 'b3c4d5e6-0000-4000-8000-000000000001' },
      responseElements: { deleted: true },
      additionalEventData: { note: 'x' },
    });
  });
});
