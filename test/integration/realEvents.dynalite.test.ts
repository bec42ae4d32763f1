/**
 * Every public event sample in test/fixtures/events/ (see SOURCES.md there) through the
 * matching handler, against dynalite: the row and the response it must produce, or the typed
 * error a malformed sample must get. Samples are read as published, never edited.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdminChangeHandler,
  createPostConfirmationHandler,
  createPreTokenGenerationHandler,
  InvalidEventError,
  type CognitoApiCallEvent,
} from '../../src/index.js';
import { buildLambdaContext } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/events');
const text = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
const sample = (path: string): any => JSON.parse(text(path));
const context = (): Context => buildLambdaContext({ remainingTimeMs: 5000 });

let dynamo: TestDynamo;
let tables = 0;
/** A fresh table per test: several samples share a sub, and "nothing written" must be checkable. */
async function freshTable() {
  const name = `real-events-${++tables}`;
  await dynamo.createTable(name);
  return { name, client: dynamo.client };
}

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describe('the sample corpus', () => {
  it('lists every sample file in SOURCES.md, and names no file that is not there', () => {
    const files = ['post-confirmation', 'pre-token-generation', 'cloudtrail'].flatMap((kind) =>
      readdirSync(join(FIXTURES, kind)).map((name) => `${kind}/${name}`),
    );
    const sources = text('SOURCES.md');
    const named = [...sources.matchAll(/^\| `([^`]+\.json)` \|/gm)].map(([, name]) => name);

    expect(files.length).toBeGreaterThanOrEqual(25);
    expect(named.sort()).toEqual(files.map((file) => file.split('/')[1]).sort());
  });

  it('keeps the one sample that is not valid JSON as published: nothing can run it', () => {
    // aws-lambda-go's V1 sample lacks its root object's closing brace (see SOURCES.md).
    expect(() => sample('pre-token-generation/aws-lambda-go-v1.json')).toThrow(SyntaxError);
  });
});

describe('PostConfirmation samples', () => {
  it('creates the row for an AdminConfirmSignUp delivery (clientId null) and returns the event unchanged', async () => {
    const table = await freshTable();
    const handler = createPostConfirmationHandler({ table, logger: recordingLogger() });
    const event = sample('post-confirmation/powertools-ts-admin-confirm-sign-up.json');
    const before = structuredClone(event);

    const result = await handler(event, context());

    expect(result).toEqual(before);
    expect(await dynamo.getItem(table.name, { userId: '11111111-2222-3333-4444-555555555555' })).toMatchObject({
      userId: '11111111-2222-3333-4444-555555555555',
      username: 'user1',
      email: 'user@example.com',
      emailVerified: true,
      userPoolId: 'eu-west-1_EXAMPLE',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('skips the forgot-password sample: no row, event unchanged', async () => {
    const table = await freshTable();
    const logger = recordingLogger();
    const handler = createPostConfirmationHandler({ table, logger });
    const event = sample('post-confirmation/powertools-ts-confirm-forgot-password.json');
    const before = structuredClone(event);

    await expect(handler(event, context())).resolves.toEqual(before);

    expect(await dynamo.scan(table.name)).toEqual([]);
    expect(logger.records[0]?.record).toMatchObject({ outcome: 'skipped' });
  });

  it.each([
    ['powertools-ts-base.json', 'triggerSource'],
    ['powertools-python-confirm-sign-up.json', 'request.userAttributes.email_verified'],
    ['aws-lambda-go-postconfirmation.json', 'request.userAttributes.sub'],
    ['rust-postconfirmation.json', 'request.userAttributes.sub'],
    ['java-postconfirmation.json', 'request.userAttributes.sub'],
    ['dotnet-postconfirmation.json', 'triggerSource'],
    ['devguide-test-event.json', 'triggerSource'],
  ])('refuses the template %s with InvalidEventError naming %s, writing nothing', async (file, field) => {
    const table = await freshTable();
    const handler = createPostConfirmationHandler({ table, logger: recordingLogger() });

    const failure = await handler(sample(`post-confirmation/${file}`), context()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(InvalidEventError);
    expect(failure).toMatchObject({ field });
    expect(await dynamo.scan(table.name)).toEqual([]);
  });
});

describe('pre token generation samples', () => {
  const claims = { memberEmail: 'email' };

  it('creates the row from the V1 sample (preferredRole null, empty response) and answers in the V1 shape', async () => {
    const table = await freshTable();
    const handler = createPreTokenGenerationHandler({ table, claims, logger: recordingLogger() });
    const event = sample('pre-token-generation/powertools-python-v1.json');

    const result = await handler(event, context());

    expect(result.response).toEqual({ claimsOverrideDetails: { claimsToAddOrOverride: { memberEmail: 'test@mail.com' } } });
    expect(result.request).toEqual(sample('pre-token-generation/powertools-python-v1.json').request);
    expect(await dynamo.getItem(table.name, { userId: '0b0a57c5-f013-426a-81a1-f8ffbfba21f0' })).toMatchObject({
      username: 'testqq',
      email: 'test@mail.com',
      userPoolId: 'us-west-2_example',
      lastLoginAt: expect.any(String),
    });
  });

  it('follows `version`, not the file name: a "V2" sample with version "1" gets the V1 response shape', async () => {
    const table = await freshTable();
    const handler = createPreTokenGenerationHandler({ table, claims, accessTokenClaims: { tier: () => 'basic' }, logger: recordingLogger() });

    const result = await handler(sample('pre-token-generation/powertools-python-v2-labelled-v1.json'), context());

    expect(result.response).toEqual({ claimsOverrideDetails: { claimsToAddOrOverride: { memberEmail: 'test@mail.com' } } });
  });

  it.each(['aws-lambda-go-v2.json', 'aws-lambda-go-v2_0.json'])(
    'adds its claims to the V2 response %s already holds, keeping every override there',
    async (file) => {
      const table = await freshTable();
      const handler = createPreTokenGenerationHandler({ table, claims, accessTokenClaims: { tier: () => 'basic' }, logger: recordingLogger() });
      const event = sample(`pre-token-generation/${file}`);
      const earlier = structuredClone(event.response.claimsAndScopeOverrideDetails);

      // Samples are untyped JSON; so is what the handler gives back for them.
      const result: any = await handler(event, context());

      expect(result.response.claimsAndScopeOverrideDetails).toEqual({
        ...earlier,
        idTokenGeneration: {
          ...earlier.idTokenGeneration,
          claimsToAddOrOverride: { ...earlier.idTokenGeneration.claimsToAddOrOverride, memberEmail: 'testuser@example.com' },
        },
        accessTokenGeneration: {
          ...earlier.accessTokenGeneration,
          claimsToAddOrOverride: { ...earlier.accessTokenGeneration.claimsToAddOrOverride, tier: 'basic' },
        },
      });
      expect(await dynamo.getItem(table.name, { userId: 'a36036a8-9061-424d-a737-56d57dae7bc6' })).toMatchObject({
        email: 'testuser@example.com',
        emailVerified: true,
      });
    },
  );

  it('creates the row for an admin-created user first signing in (NewPasswordChallenge), keeping claims and group overrides already set', async () => {
    const table = await freshTable();
    const logger = recordingLogger();
    const handler = createPreTokenGenerationHandler({ table, claims, logger });
    const event = sample('pre-token-generation/dotnet-new-password-challenge.json');
    const earlier = structuredClone(event.response.claimsOverrideDetails);

    const result: any = await handler(event, context());

    expect(result.response.claimsOverrideDetails).toEqual({
      ...earlier,
      claimsToAddOrOverride: { ...earlier.claimsToAddOrOverride, memberEmail: 'mail@mail.com' },
    });
    expect(await dynamo.getItem(table.name, { userId: 'some-sub' })).toMatchObject({ username: 'user04', email: 'mail@mail.com' });
    expect(logger.records[0]?.record).toMatchObject({ outcome: 'created', triggerSource: 'TokenGeneration_NewPasswordChallenge' });
  });

  it('syncs the row from the java V2 sample (preferredRole an array, claimsAndScopeOverrideDetails []) when it adds no claims', async () => {
    const table = await freshTable();
    const handler = createPreTokenGenerationHandler({ table, logger: recordingLogger() });
    const event = sample('pre-token-generation/java-v2.json');
    const before = structuredClone(event);

    await expect(handler(event, context())).resolves.toEqual(before);

    expect(await dynamo.getItem(table.name, { userId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' })).toMatchObject({
      username: 'JaneDoe',
      phoneNumber: '+12065551212',
      familyName: 'Zoe',
    });
  });

  // The java V2 sample's response holds `claimsAndScopeOverrideDetails: []`: claims hung on
  // the array would be dropped by JSON on the way back to Cognito, so the handler replaces
  // any container that is not a plain object (issue 12, item 9).
  it('adds its claims to the java V2 sample whose claimsAndScopeOverrideDetails is [] (they survive JSON)', async () => {
    const table = await freshTable();
    const handler = createPreTokenGenerationHandler({ table, claims, logger: recordingLogger() });

    const result = await handler(sample('pre-token-generation/java-v2.json'), context());

    const sentBack = JSON.parse(JSON.stringify(result));
    expect(sentBack.response.claimsAndScopeOverrideDetails).toEqual({
      idTokenGeneration: { claimsToAddOrOverride: { memberEmail: 'Jane.Doe@example.com' } },
    });
  });

  it.each([
    ['rust-v1-incoming.json', 'request.userAttributes.sub'],
    ['rust-v2-incoming.json', 'request.userAttributes.sub'],
    ['rust-v2.json', 'request.userAttributes.sub'],
    ['java-v1-hosted-auth.json', 'request.userAttributes.sub'],
    ['java-v2-with-response.json', 'request.userAttributes.sub'],
    ['dotnet-v1.json', 'triggerSource'],
    ['dotnet-v2.json', 'triggerSource'],
    ['devguide-test-event.json', 'triggerSource'],
  ])('refuses the template %s with InvalidEventError naming %s, even though it fails open on store errors', async (file, field) => {
    const table = await freshTable();
    const handler = createPreTokenGenerationHandler({ table, claims, logger: recordingLogger() });

    const failure = await handler(sample(`pre-token-generation/${file}`), context()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(InvalidEventError);
    expect(failure).toMatchObject({ field });
    expect(await dynamo.scan(table.name)).toEqual([]);
  });
});

/**
 * The CloudTrail samples are records (an EventBridge event's `detail`); this adds the envelope
 * EventBridge puts around a record, from the record's own fields.
 */
function viaEventBridge(record: any): CognitoApiCallEvent {
  return {
    version: '0',
    id: record.eventID,
    'detail-type': (record.eventType === 'AwsServiceEvent'
      ? 'AWS Service Event via CloudTrail'
      : 'AWS API Call via CloudTrail') as 'AWS API Call via CloudTrail',
    source: `aws.${String(record.eventSource).replace(/\.amazonaws\.com$/, '')}`,
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

describe('CloudTrail samples', () => {
  it.each([
    ['devguide-hosted-ui-signup-post.json', 'Signup_POST', 'unknown-call'],
    ['devguide-hosted-ui-confirm-post.json', 'Confirm_POST', 'unknown-call'],
    ['rust-controltower-assumed-role.json', 'CreateManagedAccount', 'not-user-pool-call'],
  ])('ignores %s (%s) as %s: no Cognito read, no write, no sub guessed', async (file, eventName, reason) => {
    const table = await freshTable();
    const logger = recordingLogger();
    // A Cognito endpoint nothing listens on: any read would fail the test.
    const handler = createAdminChangeHandler({
      table,
      userPoolId: 'us-west-2_aaaaaaaaa',
      cognitoClientConfig: { endpoint: 'http://127.0.0.1:9', region: 'us-west-2', maxAttempts: 1 },
      logger,
    });

    const result = await handler(viaEventBridge(sample(`cloudtrail/${file}`)), context());

    expect(result).toEqual({ outcome: 'ignored', eventName, reason });
    expect(await dynamo.scan(table.name)).toEqual([]);
    expect(logger.records).toHaveLength(1);
    expect(logger.records[0]?.record).toMatchObject({ outcome: 'ignored', reason });
    expect(logger.text()).not.toContain('704b1e47-34fe-40e9-8c41-504997494531');
  });
});
