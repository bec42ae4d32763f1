import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand, DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdminChangeHandler,
  createPostConfirmationHandler,
  createPreTokenGenerationHandler,
  isProfileSyncError,
} from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

/*
 * Property-based checks over arbitrary event shapes, attribute maps and mapper outputs:
 * every handler settles with its result or a typed library error (never a bare TypeError),
 * and no generated email or phone number reaches a log line.
 */
const ddb = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const client = new DynamoDBClient({ region: 'us-east-1' });

beforeAll(() => {
  ddb.on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({}).on(DeleteItemCommand).resolves({});
  cognito.on(ListUsersCommand).resolves({ Users: [] });
});
afterAll(() => {
  ddb.restore();
  cognito.restore();
});

/** Any JSON-ish value, nested, including the odd ones events never should carry. */
const anything = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.double(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const email = fc.tuple(fc.stringMatching(/^[a-z]{3,10}$/), fc.stringMatching(/^[a-z]{3,8}$/)).map(([user, host]) => `${user}@${host}.example`);
const phone = fc.stringMatching(/^\+1555\d{7}$/);

/** A real event with random parts replaced by arbitrary values. */
function mangled<T extends object>(base: () => T) {
  return fc
    .tuple(
      fc.constantFrom('event', 'request', 'request.userAttributes', 'request.userAttributes.sub', 'userPoolId', 'triggerSource', 'userName', 'none'),
      anything,
    )
    .map(([path, value]) => {
      if (path === 'event') return value;
      const event = base() as Record<string, any>;
      if (path === 'none') return event;
      const keys = path.split('.');
      let target = event;
      for (const key of keys.slice(0, -1)) target = target[key];
      target[keys.at(-1)!] = value;
      return event;
    });
}

async function settle(promise: Promise<unknown>): Promise<'ok' | 'typed'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isProfileSyncError(error)) return 'typed';
    throw error;
  }
}

describe('properties', () => {
  it('PostConfirmation settles with the event or a typed error for any event shape', async () => {
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), onWelcome: async () => undefined });
    await fc.assert(
      fc.asyncProperty(mangled(() => buildPostConfirmationEvent()), async (event) => {
        await settle(handler(event as never, buildLambdaContext()));
      }),
      { numRuns: 300 },
    );
  });

  it('PostConfirmation settles for any mapper output', async () => {
    await fc.assert(
      fc.asyncProperty(anything, async (output) => {
        const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => output as never });
        await settle(handler(buildPostConfirmationEvent(), buildLambdaContext()));
      }),
      { numRuns: 300 },
    );
  });

  it('PreTokenGeneration settles for any event shape, failing open or with a typed error', async () => {
    const handler = createPreTokenGenerationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), claims: { plan: 'plan' } });
    await fc.assert(
      fc.asyncProperty(mangled(() => buildPreTokenGenerationEvent()), async (event) => {
        await settle(handler(event as never, buildLambdaContext()));
      }),
      { numRuns: 300 },
    );
  });

  it('the admin-change handler settles for any event shape', async () => {
    const handler = createAdminChangeHandler({
      table: { name: 'profiles', client },
      userPoolId: 'us-east-1_EXAMPLE01',
      cognitoClient: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
      logger: recordingLogger(),
    });
    await fc.assert(
      fc.asyncProperty(anything, fc.constantFrom('AdminUpdateUserAttributes', 'AdminDeleteUser', 'Other'), anything, async (detail, eventName, time) => {
        const event = { source: 'aws.cognito-idp', time, detail: typeof detail === 'object' && detail !== null ? { ...detail, eventName } : detail };
        await settle(handler(event as never));
      }),
      { numRuns: 300 },
    );
  });

  it('no generated email or phone number appears in any log line', async () => {
    await fc.assert(
      fc.asyncProperty(email, phone, fc.string({ minLength: 1 }), fc.boolean(), async (address, number, name, failing) => {
        const logger = recordingLogger();
        const confirm = createPostConfirmationHandler({
          table: { name: 'profiles', client },
          logger,
          onWelcome: async () => {
            if (failing) throw Object.assign(new Error(`rejected ${address} ${number}`), { name: 'MessageRejected' });
          },
        });
        const signIn = createPreTokenGenerationHandler({ table: { name: 'profiles', client }, logger, claims: { email: 'email' } });
        const attributes = { email: address, phone_number: number, name };

        await confirm(buildPostConfirmationEvent({ userAttributes: attributes, userName: address }), buildLambdaContext());
        await signIn(buildPreTokenGenerationEvent({ userAttributes: attributes, userName: address }), buildLambdaContext());

        expect(logger.records.length).toBe(2);
        expect(logger.text()).not.toContain(address);
        expect(logger.text()).not.toContain(number);
      }),
      { numRuns: 200 },
    );
  });
});
