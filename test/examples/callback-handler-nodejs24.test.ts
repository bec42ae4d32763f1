import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { CallbackHandlerRefusedError, loadAsNodejs24 } from '../support/lambdaRuntime.js';
import { recordingLogger } from '../support/logger.js';
import { startSes, type TestSes } from '../support/ses.js';
import { PACKAGE } from './helpers.js';

/*
 * A team's PostConfirmation function written with a callback, as Lambda's Node.js tutorials
 * long showed it. The nodejs24.x runtime refuses such a handler at start-up; wrapped with
 * withProfileSync (from the built package, as users import it) it is an async handler that
 * the runtime loads, while the team's code still gets its callback from the wrapper. CI runs
 * this file on Node 20, 22 and 24, so it runs on the Node.js that nodejs24.x runs.
 */
type Callback = (error: unknown, result?: PostConfirmationTriggerEvent) => void;
type Library = typeof import('../../src/index.js');

const FROM = 'welcome@example.com';
let dynamo: TestDynamo;
let ses: TestSes;
let sesClient: SESClient;
let withProfileSync: Library['withProfileSync'];
let tables = 0;
let table: string;

/** The team's handler, callback style: sends the welcome, then hands the event back. */
function day10(event: PostConfirmationTriggerEvent, _context: Context, callback: Callback): void {
  const { email, name } = event.request.userAttributes;
  sesClient
    .send(
      new SendEmailCommand({
        Source: FROM,
        Destination: { ToAddresses: [email!] },
        Message: { Subject: { Data: 'Welcome aboard!' }, Body: { Text: { Data: `Hello ${name}` } } },
      }),
    )
    .then(() => callback(null, event), callback);
}

/** The same handler written `async` but still declaring the callback it calls at the end. */
async function day10AsyncWithCallback(event: PostConfirmationTriggerEvent, context: Context, callback: Callback): Promise<void> {
  await new Promise<void>((resolve, reject) => day10(event, context, (error) => (error ? reject(error) : resolve())));
  callback(null, event);
}

function confirmation(triggerSource: PostConfirmationTriggerEvent['triggerSource'] = 'PostConfirmation_ConfirmSignUp') {
  return buildPostConfirmationEvent({ triggerSource, userAttributes: { email: 'ana.silva@example.net', name: 'Ana Silva' } });
}

beforeAll(async () => {
  [dynamo, ses] = await Promise.all([startDynalite(), startSes()]);
  sesClient = new SESClient({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  ({ withProfileSync } = (await import(PACKAGE)) as Library);
});
afterAll(async () => {
  sesClient?.destroy();
  await Promise.all([dynamo?.stop(), ses?.stop()]);
});
beforeEach(async () => {
  table = `callback-profiles-${++tables}`;
  await Promise.all([dynamo.createTable(table), ses.clear()]);
});

describe('a callback-style handler on the nodejs24.x runtime', () => {
  it.each([{ handler: day10 }, { handler: day10AsyncWithCallback }])('is refused on its own ($handler.name)', ({ handler }) => {
    expect(() => loadAsNodejs24({ handler })).toThrow(CallbackHandlerRefusedError);
  });

  it.each([
    { style: 'callback', existing: day10, runExisting: 'always' },
    { style: 'callback', existing: day10, runExisting: 'as-welcome' },
    { style: 'async with a callback', existing: day10AsyncWithCallback, runExisting: 'always' },
    { style: 'async with a callback', existing: day10AsyncWithCallback, runExisting: 'as-welcome' },
  ] as const)('runs wrapped by withProfileSync ($style, runExisting: $runExisting)', async ({ existing, runExisting }) => {
    // Prepare
    const wrapped = withProfileSync({ table: { name: table, client: dynamo.client }, runExisting, logger: recordingLogger() })(existing);
    const handler = loadAsNodejs24({ handler: wrapped });
    const event = confirmation();

    // Act
    const result = await handler(structuredClone(event), buildLambdaContext());

    // Assess: Cognito gets its event back, the row is written, and the team's code ran to its
    // callback (as the welcome step, only a callback that came back marks the welcome sent).
    expect(result).toEqual(event);
    const row = await dynamo.getItem(table, { userId: event.request.userAttributes.sub! });
    expect(row).toMatchObject({ email: 'ana.silva@example.net', name: 'Ana Silva' });
    if (runExisting === 'as-welcome') expect(row).toMatchObject({ welcomeSentAt: expect.any(String) });
    const mail = await ses.sentMail();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ from: FROM, destination: { to: ['ana.silva@example.net'] }, subject: 'Welcome aboard!' });
  });

  it('as the welcome step, sends once across a redelivery and never on a forgot-password confirmation', async () => {
    const handler = loadAsNodejs24({
      handler: withProfileSync({ table: { name: table, client: dynamo.client }, runExisting: 'as-welcome', logger: recordingLogger() })(day10),
    });
    const event = confirmation();

    await handler(structuredClone(event), buildLambdaContext());
    await handler(structuredClone(event), buildLambdaContext());
    await handler(confirmation('PostConfirmation_ConfirmForgotPassword'), buildLambdaContext());

    expect(await ses.sentMail()).toHaveLength(1);
    expect(await dynamo.getItem(table, { userId: event.request.userAttributes.sub! })).toMatchObject({ welcomeSentAt: expect.any(String) });
  });

  it('fails the invocation with the error the handler passes to its callback (runExisting: always)', async () => {
    const failure = new Error('the welcome template is missing');
    const failing = (_event: PostConfirmationTriggerEvent, _context: Context, callback: Callback): void => {
      setImmediate(() => callback(failure));
    };
    const handler = loadAsNodejs24({
      handler: withProfileSync({ table: { name: table, client: dynamo.client }, logger: recordingLogger() })(failing),
    });

    await expect(handler(confirmation(), buildLambdaContext())).rejects.toBe(failure);
  });
});
