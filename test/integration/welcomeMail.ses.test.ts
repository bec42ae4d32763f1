import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostConfirmationHandler, sesWelcomeEmail, type SesWelcomeEmailOptions } from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';
import { startSes, type TestSes } from '../support/ses.js';

/*
 * What reaches the mail: the PostConfirmation handler against a real dynalite and a real
 * aws-ses-v2-local, which accepts (and stores) whatever SendEmail it is given, so anything
 * the library lets through shows up in its store.
 */
const TABLE = 'welcome-mail-profiles';
let dynamo: TestDynamo;
let ses: TestSes;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

beforeAll(async () => {
  [dynamo, ses] = await Promise.all([startDynalite(), startSes()]);
  await dynamo.createTable(TABLE);
});
afterAll(async () => {
  await Promise.all([dynamo?.stop(), ses?.stop()]);
});
beforeEach(async () => {
  await ses.clear();
});

function handlerWith(message: Partial<SesWelcomeEmailOptions>) {
  const logger = recordingLogger();
  const handler = createPostConfirmationHandler({
    table: { name: TABLE, client: dynamo.client },
    onWelcome: sesWelcomeEmail({
      source: 'hello@example.com',
      subject: 'Welcome {{givenName|friend}}',
      text: 'Hi',
      clientConfig: { endpoint: ses.endpoint, region: 'us-east-1', credentials },
      ...message,
    } as SesWelcomeEmailOptions),
    logger,
    // Even with personal data logging on, the refused value is not in the error message.
    logPersonalData: true,
  });
  return { handler, logger };
}

describe('the welcome mail against aws-ses-v2-local', () => {
  it.each([
    ['LS U+2028', '\u2028'],
    ['PS U+2029', '\u2029'],
    ['NEL U+0085', '\u0085'],
    ['VT', '\v'],
    ['FF', '\f'],
    ['ESC', '\u001b'],
    ['CSI U+009B', '\u009b'],
  ])('sends nothing when the subject would hold %s, and the confirmation still succeeds', async (_label, control) => {
    const { handler, logger } = handlerWith({});
    const event = buildPostConfirmationEvent({ userAttributes: { email: 'mal@example.com', given_name: `Mal${control}Bcc: victim@example.com` } });

    await expect(handler(structuredClone(event), buildLambdaContext())).resolves.toBeDefined();

    expect(await ses.sentMail()).toEqual([]);
    expect(logger.records.at(-1)).toMatchObject({ level: 'warn', record: { welcome: 'failed', welcomeError: { name: 'WelcomeError' } } });
    expect(await dynamo.getItem(TABLE, { userId: event.request.userAttributes.sub! })).not.toHaveProperty('welcomeSentAt');
    expect(logger.text()).not.toContain('victim@example.com');
  });

  it.each([
    ['a display name and a second address', 'Evil <evil@x.example>, victim@example.com'],
    ['two addresses', 'evil@x.example,victim@example.com'],
    ['a display name', 'Evil <evil@x.example>'],
  ])('sends nothing to a recipient with %s, and logs no address', async (_label, email) => {
    const { handler, logger } = handlerWith({});
    const event = buildPostConfirmationEvent({ userAttributes: { email } });

    await handler(structuredClone(event), buildLambdaContext());

    expect(await ses.sentMail()).toEqual([]);
    expect(logger.records.at(-1)).toMatchObject({ level: 'warn', record: { welcome: 'failed', welcomeError: { name: 'WelcomeError' } } });
    expect(logger.text()).not.toContain('evil@x.example');
    expect(logger.text()).not.toContain('victim@example.com');
  });

  it('fills {{constructor}} from the profile, never from Object.prototype', async () => {
    const { handler } = handlerWith({ subject: 'Welcome {{constructor|friend}}', text: '[{{toString}}]' });

    await handler(buildPostConfirmationEvent({ userAttributes: { email: 'ana@example.com' } }), buildLambdaContext());

    expect(await ses.sentMail()).toEqual([
      expect.objectContaining({ destination: expect.objectContaining({ to: ['ana@example.com'] }), subject: 'Welcome friend', body: expect.objectContaining({ text: '[]' }) }),
    ]);
  });
});
