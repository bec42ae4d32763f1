import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { startSes, type TestSes } from '../support/ses.js';

/*
 * The example module runs as deployed: it reads its settings from the environment and builds
 * its own clients (the team's SES client, the library's DynamoDB client). The SDK's
 * AWS_ENDPOINT_URL_* variables point those clients at the local servers.
 */
const ENTRY = new URL('../../examples/day10-wrap/index.mjs', import.meta.url).href;
const TABLE = 'day10-profiles';
const FROM = 'welcome@example.com';

type Handler = (event: PostConfirmationTriggerEvent, context: Context) => Promise<PostConfirmationTriggerEvent>;
let dynamo: TestDynamo;
let ses: TestSes;
let handler: Handler;
let logs: MockInstance[];

beforeAll(async () => {
  [dynamo, ses] = await Promise.all([startDynalite(), startSes()]);
  await dynamo.createTable(TABLE);
  const env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SES: ses.endpoint,
    DDB_TABLE: TABLE,
    SOURCE_EMAIL: FROM,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.stubEnv('AWS_PROFILE', undefined);
  ({ handler } = (await import(ENTRY)) as { handler: Handler });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([dynamo?.stop(), ses?.stop()]);
});
beforeEach(async () => {
  await ses.clear();
  logs = (['log', 'info', 'warn', 'error'] as const).map((level) => vi.spyOn(console, level).mockImplementation(() => {}));
});
afterEach(() => vi.restoreAllMocks());

function confirmation(triggerSource: PostConfirmationTriggerEvent['triggerSource'] = 'PostConfirmation_ConfirmSignUp', sub?: string) {
  return buildPostConfirmationEvent({
    triggerSource,
    ...(sub && { sub }),
    userAttributes: { email: 'mei.lin@example.net', name: 'Mei Lin', phone_number: '+886912345678' },
  });
}

describe('examples/day10-wrap', () => {
  it('writes one row and sends the team welcome once when a confirmation is delivered twice', async () => {
    // Prepare
    const event = confirmation();
    const sub = event.request.userAttributes.sub!;

    // Act
    const first = await handler(structuredClone(event), buildLambdaContext());
    const second = await handler(structuredClone(event), buildLambdaContext());

    // Assess
    expect(first).toEqual(event);
    expect(second).toEqual(event);
    const rows = (await dynamo.scan(TABLE)).filter((row) => row.userId === sub);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: sub, email: 'mei.lin@example.net', name: 'Mei Lin', welcomeSentAt: expect.any(String) });
    const mail = await ses.sentMail();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      from: FROM,
      destination: { to: ['mei.lin@example.net'] },
      subject: 'Welcome aboard!',
      body: { text: 'Hello Mei Lin, thank you for signing up. We hope you enjoy the service!' },
    });
  });

  it('sends one welcome when two deliveries of a confirmation race', async () => {
    const event = confirmation();

    await Promise.all([handler(structuredClone(event), buildLambdaContext()), handler(structuredClone(event), buildLambdaContext())]);

    expect(await ses.sentMail()).toHaveLength(1);
    expect((await dynamo.scan(TABLE)).filter((row) => row.userId === event.request.userAttributes.sub)).toHaveLength(1);
  });

  it('neither writes nor mails on a forgot-password confirmation', async () => {
    // Prepare: a user confirmed and welcomed earlier
    const signUp = confirmation();
    const sub = signUp.request.userAttributes.sub!;
    await handler(structuredClone(signUp), buildLambdaContext());
    const before = await dynamo.getItem(TABLE, { userId: sub });
    await ses.clear();

    const unknownUser = confirmation('PostConfirmation_ConfirmForgotPassword');

    // Act
    await handler(confirmation('PostConfirmation_ConfirmForgotPassword', sub), buildLambdaContext());
    await handler(unknownUser, buildLambdaContext());

    // Assess
    expect(await ses.sentMail()).toEqual([]);
    expect(await dynamo.getItem(TABLE, { userId: sub })).toEqual(before);
    expect(await dynamo.getItem(TABLE, { userId: unknownUser.request.userAttributes.sub! })).toBeUndefined();
  });

  it('keeps the address, the name and the phone number out of the logs', async () => {
    await handler(confirmation(), buildLambdaContext());

    const lines = logs.flatMap((spy) => spy.mock.calls.map((args) => args.map(String).join(' ')));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toMatch(/mei\.lin|Mei Lin|912345678/);
  });
});
