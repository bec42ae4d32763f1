import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createPostConfirmationHandler,
  escapeHtml,
  sesWelcomeEmail,
  WelcomeError,
  type WelcomeContext,
} from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

const ses = mockClient(SESClient);
const ddb = mockClient(DynamoDBClient);
const client = new SESClient({ region: 'us-east-1' });
const context = (attributes: Record<string, string> = {}): WelcomeContext => ({
  sub: 'sub-1',
  attributes: { sub: 'sub-1', ...attributes },
  signal: new AbortController().signal,
});

describe('sesWelcomeEmail', () => {
  afterEach(() => {
    ses.reset();
    ddb.reset();
  });

  it('sends one email to the profile address with subject and bodies filled from the profile', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const send = sesWelcomeEmail({
      client,
      source: 'Example <hello@example.com>',
      subject: 'Welcome, {{givenName|friend}}',
      text: 'Dear {{name|member}}, plan {{plan}}.',
      html: '<p>Dear {{name|member}}</p>',
      replyTo: ['support@example.com'],
      configurationSetName: 'welcome',
    });

    // Act
    await send({ email: 'ana@example.com', name: 'Ana <b>', plan: 'pro' }, context());

    // Assess
    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input)).toEqual([
      {
        Source: 'Example <hello@example.com>',
        Destination: { ToAddresses: ['ana@example.com'] },
        Message: {
          Subject: { Data: 'Welcome, friend', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'Dear Ana <b>, plan pro.', Charset: 'UTF-8' },
            Html: { Data: '<p>Dear Ana &lt;b&gt;</p>', Charset: 'UTF-8' },
          },
        },
        ReplyToAddresses: ['support@example.com'],
        ConfigurationSetName: 'welcome',
      },
    ]);
  });

  it('escapes every HTML-significant character of profile values, never the template', async () => {
    ses.on(SendEmailCommand).resolves({});
    const send = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', html: '<a title="{{name}}">x</a>' });

    await send({ email: 'a@example.com', name: `"><script>alert('x')</script>&` }, context());

    const html = ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Message!.Body!.Html!.Data;
    expect(html).toBe('<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">x</a>');
  });

  it('falls back to the email attribute when the profile has none', async () => {
    ses.on(SendEmailCommand).resolves({});
    const send = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi' });

    await send({}, context({ email: 'attr@example.com' }));

    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Destination).toEqual({ ToAddresses: ['attr@example.com'] });
  });

  it('passes the abort signal to the SES call', async () => {
    ses.on(SendEmailCommand).resolves({});
    const controller = new AbortController();
    const send = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi' });

    await send({ email: 'a@example.com' }, { ...context(), signal: controller.signal });

    expect((ses.commandCalls(SendEmailCommand)[0]!.args as unknown[])[1]).toEqual({ abortSignal: controller.signal });
  });

  it('throws a WelcomeError without sending when there is no recipient', async () => {
    const send = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi' });

    await expect(send({ name: 'x' }, context())).rejects.toBeInstanceOf(WelcomeError);
    expect(ses.calls()).toHaveLength(0);
  });

  it.each([
    ['a subject made from the profile', { subject: 'Hi {{name}}' }, { name: 'x\r\nBcc: victim@example.com' }],
    ['the recipient', {}, { email: 'a@example.com\nBcc: victim@example.com' }],
  ])('refuses to send when %s holds a line break', async (_label, overrides, profile) => {
    const send = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi', ...overrides });

    await expect(send({ email: 'a@example.com', ...profile }, context())).rejects.toBeInstanceOf(WelcomeError);
    expect(ses.calls()).toHaveLength(0);
  });

  it('lets an SES failure through so the claim is released and retried', async () => {
    // Prepare: the first delivery creates the row with its claim and SES rejects the mail;
    // the redelivery finds the row, claims the welcome again, and SES accepts
    const rejected = Object.assign(new Error('Email address is not verified'), { name: 'MessageRejected' });
    ses.on(SendEmailCommand).rejectsOnce(rejected).resolves({ MessageId: 'm-1' });
    const taken = Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    ddb.on(PutItemCommand).resolvesOnce({}).rejects(taken).on(UpdateItemCommand).resolves({});
    const logger = recordingLogger();
    const handler = createPostConfirmationHandler({
      table: { name: 'profiles', client: new DynamoDBClient({ region: 'us-east-1' }) },
      onWelcome: sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi' }),
      logger,
    });
    const event = buildPostConfirmationEvent({ userAttributes: { email: 'ana@example.com' } });

    // Act
    await handler(structuredClone(event), buildLambdaContext());
    await handler(structuredClone(event), buildLambdaContext());

    // Assess: the claim the create wrote is the one given up, and the next delivery sends
    const claimId = unmarshall(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!).welcomeClaimId;
    const updates = ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(updates.map((update) => update.UpdateExpression)).toEqual([
      'SET #failedAt = :failedAt REMOVE #claimId, #expiresAt',
      'SET #claimId = :claimId, #expiresAt = :expiresAt REMOVE #failedAt',
      'SET #sentAt = :sentAt REMOVE #claimId, #expiresAt, #failedAt',
    ]);
    expect(updates[0]).toMatchObject({ ConditionExpression: '#claimId = :claimId', ExpressionAttributeValues: { ':claimId': { S: claimId } } });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    expect(logger.records.map(({ record }) => [record.welcome, record.welcomeError])).toEqual([
      ['failed', { name: 'MessageRejected' }],
      ['sent', undefined],
    ]);
    expect(logger.text()).not.toContain('ana@example.com');
  });

  it.each([
    ['no source', { source: '' }, 'source'],
    ['a source with a line break', { source: 'a@example.com\r\nBcc: x@example.com' }, 'source'],
    ['a subject with a line break', { subject: 'Hi\nBcc: x@example.com' }, 'subject'],
    ['no subject', { subject: undefined }, 'subject'],
    ['no body', { text: undefined, html: undefined }, 'text'],
    ['a reply-to with a line break', { replyTo: ['a@example.com\n'] }, 'replyTo[0]'],
    ['both client and clientConfig', { clientConfig: {} }, 'client'],
  ])('rejects %s at configuration, naming the option', (_label, overrides, option) => {
    const build = () =>
      sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi', ...overrides } as never);

    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(expect.objectContaining({ option }));
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<>&"'x`)).toBe('&lt;&gt;&amp;&quot;&#39;x');
  });
});
