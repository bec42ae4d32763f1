import type { Context, PostConfirmationTriggerEvent, PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AttributeMapper, MappingContext } from '../../src/types.js';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';

// Imported by URL at run time: the examples import the built package, which the root type
// check does not need.
const example = (file: string) => new URL(`../../examples/custom-mapper/${file}`, import.meta.url).href;
const TABLE = 'member-profiles';
const CONTEXT: MappingContext = {
  sub: '4a7c2b9e-0000-4000-8000-000000000001',
  userName: '4a7c2b9e-0000-4000-8000-000000000001',
  userPoolId: 'eu-west-1_Example1',
  triggerSource: 'PostConfirmation_ConfirmSignUp',
  now: '2025-01-02T03:04:05.000Z',
};

describe('examples/custom-mapper', () => {
  describe('memberProfile', () => {
    let memberProfile: AttributeMapper;
    beforeAll(async () => {
      ({ memberProfile } = (await import(example('mapper.ts'))) as { memberProfile: AttributeMapper });
    });

    it('prefers custom:firstName and custom:lastName over the standard attributes', () => {
      const profile = memberProfile(
        { sub: CONTEXT.sub, 'custom:firstName': 'Wen', 'custom:lastName': 'Chen', given_name: 'Wendy', family_name: 'Chan' },
        CONTEXT,
      );

      expect(profile).toMatchObject({ firstName: 'Wen', lastName: 'Chen', givenName: 'Wendy', familyName: 'Chan' });
    });

    it('falls back to given_name and family_name when the custom attributes are missing or blank', () => {
      expect(memberProfile({ sub: CONTEXT.sub, given_name: 'Wendy', family_name: 'Chan' }, CONTEXT)).toMatchObject({
        firstName: 'Wendy',
        lastName: 'Chan',
      });
      expect(
        memberProfile({ sub: CONTEXT.sub, 'custom:firstName': '  ', 'custom:lastName': '', given_name: 'Wendy', family_name: 'Chan' }, CONTEXT),
      ).toMatchObject({ firstName: 'Wendy', lastName: 'Chan' });
    });

    it('leaves a name out when neither attribute has it, and keeps the default fields', () => {
      const profile = memberProfile({ sub: CONTEXT.sub, email: 'wen@example.com', 'custom:firstName': 'Wen' }, CONTEXT);

      expect(profile.lastName).toBeUndefined();
      expect(profile).toEqual({
        username: CONTEXT.userName,
        email: 'wen@example.com',
        userPoolId: CONTEXT.userPoolId,
        createdAt: CONTEXT.now,
        updatedAt: CONTEXT.now,
        firstName: 'Wen',
      });
    });
  });

  describe('the handlers against dynalite', () => {
    let dynamo: TestDynamo;
    let postConfirmation: (event: PostConfirmationTriggerEvent, context: Context) => Promise<unknown>;
    let preTokenGeneration: (event: PreTokenGenerationTriggerEvent, context: Context) => Promise<unknown>;

    beforeAll(async () => {
      dynamo = await startDynalite();
      await dynamo.createTable(TABLE);
      for (const [name, value] of Object.entries({
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        DDB_TABLE: TABLE,
      })) {
        vi.stubEnv(name, value);
      }
      ({ handler: postConfirmation } = (await import(example('post-confirmation.ts'))) as { handler: typeof postConfirmation });
      ({ handler: preTokenGeneration } = (await import(example('pre-token-generation.ts'))) as { handler: typeof preTokenGeneration });
      vi.spyOn(console, 'info').mockImplementation(() => {});
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
      await dynamo?.stop();
    });

    it('creates the row with the mapped names, and a later sign-in brings a changed name in', async () => {
      // Prepare
      const sub = CONTEXT.sub;
      const signUp = buildPostConfirmationEvent({ sub, userAttributes: { 'custom:firstName': 'Wen', given_name: 'Wendy', family_name: 'Chan' } });

      // Act: confirmation, then a sign-in after the user changed custom:firstName
      await postConfirmation(signUp, buildLambdaContext());
      const created = await dynamo.getItem(TABLE, { userId: sub });
      await preTokenGeneration(
        buildPreTokenGenerationEvent({ sub, userAttributes: { 'custom:firstName': 'Wenwen', given_name: 'Wendy', family_name: 'Chan' } }) as PreTokenGenerationTriggerEvent,
        buildLambdaContext(),
      );
      const signedIn = await dynamo.getItem(TABLE, { userId: sub });

      // Assess
      expect(created).toMatchObject({ userId: sub, firstName: 'Wen', lastName: 'Chan', givenName: 'Wendy' });
      expect(signedIn).toMatchObject({ userId: sub, firstName: 'Wenwen', lastName: 'Chan', createdAt: created!.createdAt, lastLoginAt: expect.any(String) });
    });
  });
});
