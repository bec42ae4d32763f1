import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostConfirmationHandler, sesWelcomeEmail } from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';
import { startSes, type TestSes } from '../support/ses.js';

let dynamo: TestDynamo;
let ses: TestSes;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

beforeAll(async () => {
  [dynamo, ses] = await Promise.all([startDynalite(), startSes()]);
  await dynamo.createTable('welcome-profiles');
});
afterAll(async () => {
  await Promise.all([dynamo?.stop(), ses?.stop()]);
});
beforeEach(async () => {
  await ses.clear();
});

describe('sesWelcomeEmail against aws-ses-v2-local', () => {
  it('sends one escaped welcome per user across redeliveries', async () => {
    // Prepare
    const handler = createPostConfirmationHandler({
      table: { name: 'welcome-profiles', client: dynamo.client },
      onWelcome: sesWelcomeEmail({
        source: 'hello@example.com',
        subject: 'Welcome {{givenName|friend}}',
        text: 'Dear {{name}}',
        html: '<p>Dear {{name}}</p>',
        clientConfig: { endpoint: ses.endpoint, region: 'us-east-1', credentials },
      }),
      logger: recordingLogger(),
    });
    const event = buildPostConfirmationEvent({
      userAttributes: { email: 'mallory@example.com', name: '<img src=x onerror=alert(1)>', given_name: 'Mal' },
    });

    // Act
    await handler(structuredClone(event), buildLambdaContext());
    await handler(structuredClone(event), buildLambdaContext());

    // Assess
    const mail = await ses.sentMail();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      from: 'hello@example.com',
      destination: { to: ['mallory@example.com'] },
      subject: 'Welcome Mal',
      body: { text: 'Dear <img src=x onerror=alert(1)>', html: '<p>Dear &lt;img src=x onerror=alert(1)&gt;</p>' },
    });
  });
});
