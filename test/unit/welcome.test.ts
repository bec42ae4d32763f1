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

  // Every line terminator (Unicode's list: LF, VT, FF, CR, NEL, LS, PS) and every C0 and C1
  // control: mail clients and gateways differ on which of them end a header line.
  const controls: [string, string][] = [
    ['VT', '\v'],
    ['FF', '\f'],
    ['NEL U+0085', '\u0085'],
    ['LS U+2028', '\u2028'],
    ['PS U+2029', '\u2029'],
    ['NUL', '\u0000'],
    ['TAB', '\t'],
    ['ESC', '\u001b'],
    ['US U+001F', '\u001f'],
    ['DEL', '\u007f'],
    ['C1 U+0080', '\u0080'],
    ['CSI U+009B', '\u009b'],
    ['C1 U+009F', '\u009f'],
  ];

  it.each(controls)('refuses to send a subject or recipient holding %s', async (_label, control) => {
    const subject = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi {{name}}', text: 'Hi' });
    const recipient = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi' });
    const computed = sesWelcomeEmail({ client, source: 'a@example.com', subject: (p) => `Hi ${String(p.name)}`, text: 'Hi' });

    await expect(subject({ email: 'a@example.com', name: `x${control}Bcc: v@example.com` }, context())).rejects.toBeInstanceOf(WelcomeError);
    await expect(recipient({ email: `a@example.com${control}` }, context())).rejects.toBeInstanceOf(WelcomeError);
    await expect(computed({ email: 'a@example.com', name: `x${control}y` }, context())).rejects.toBeInstanceOf(WelcomeError);
    expect(ses.calls()).toHaveLength(0);
  });

  it.each(controls)('rejects a source, subject or reply-to holding %s at configuration', (_label, control) => {
    const build = (overrides: object) => () =>
      sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi', ...overrides } as never);

    expect(build({ source: `a@example.com${control}` })).toThrow(expect.objectContaining({ name: 'ConfigurationError', option: 'source' }));
    expect(build({ subject: `Hi${control}there` })).toThrow(expect.objectContaining({ name: 'ConfigurationError', option: 'subject' }));
    expect(build({ replyTo: ['a@example.com', `b@example.com${control}`] })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', option: 'replyTo[1]' }),
    );
  });

  it('sends a subject with printable Unicode as it is', async () => {
    ses.on(SendEmailCommand).resolves({});
    const send = sesWelcomeEmail({ client, source: 'Café Zoë <a@example.com>', subject: 'Grüße, {{name}} — 欢迎 🎉', text: 'Hi' });

    await send({ email: 'a@example.com', name: 'Zoë' }, context());

    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Message!.Subject!.Data).toBe('Grüße, Zoë — 欢迎 🎉');
  });

  it.each([
    ['a display name and a second address', 'Evil <evil@x.com>, victim@example.com'],
    ['two addresses', 'a@example.com, victim@example.com'],
    ['two addresses without a space', 'a@example.com,victim@example.com'],
    ['two addresses with a semicolon', 'a@example.com;victim@example.com'],
    ['a display name', 'Ana <ana@example.com>'],
    ['angle brackets', '<ana@example.com>'],
    ['two @', 'ana@victim@example.com'],
    ['no @', 'ana.example.com'],
    ['no local part', '@example.com'],
    ['no domain', 'ana@'],
    ['a space', 'ana maria@example.com'],
    ['a quoted local part', '"ana maria"@example.com'],
    ['a comment', 'ana(comment)@example.com'],
    ['a domain literal', 'ana@[192.0.2.1]'],
    ['a leading dot', '.ana@example.com'],
    ['two dots in a row', 'ana..maria@example.com'],
    ['an empty domain label', 'ana@example..com'],
    ['a label starting with a hyphen', 'ana@-example.com'],
    ['a non-ASCII local part', 'anä@example.com'],
    ['a non-ASCII domain (SES needs Punycode)', 'ana@exämple.com'],
    ['a local part over 64 characters', `${'a'.repeat(65)}@example.com`],
    ['an address over 254 characters', `${'a'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(62)}`],
    ['a domain label over 63 characters', `ana@${'d'.repeat(64)}.com`],
  ])('refuses a recipient with %s, without naming it', async (_label, address) => {
    const fromProfile = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi' });
    const fromOption = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi', to: () => address });

    const failure = (send: () => unknown) => Promise.resolve().then(send).then(() => undefined, (error: unknown) => error);
    const errors = [await failure(() => fromProfile({ email: address }, context())), await failure(() => fromOption({}, context()))];

    for (const error of errors) {
      expect(error).toBeInstanceOf(WelcomeError);
      expect((error as Error).message).toMatch(/recipient/);
      for (const part of address.split(/[^A-Za-z]+/).filter((p) => p.length > 2 && p !== 'com')) expect((error as Error).message).not.toContain(part);
    }
    expect(ses.calls()).toHaveLength(0);
  });

  it.each([
    ['a common address', 'ana@example.com'],
    ['an apostrophe, a tag and subdomains', "o'brien+welcome@mail.example.co.uk"],
    ['capitals, dots, a hyphen and an underscore', 'A.B-C_d@EXAMPLE.COM'],
    ['every other atext character', "#!$%&*/=?^`{|}~@example.com"],
    ['a Punycode domain', 'ana@xn--exmple-cua.com'],
    ['a one-label domain', 'ana@localhost'],
    ['254 characters, the most', `${'a'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(61)}`],
  ])('sends to a plain address with %s as the one entry', async (_label, address) => {
    ses.on(SendEmailCommand).resolves({});
    const send = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi', text: 'Hi' });

    await send({ email: address }, context());

    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Destination).toEqual({ ToAddresses: [address] });
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

describe('templates', () => {
  afterEach(() => ses.reset());

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'reads {{%s}} from the profile own fields only, never from Object.prototype',
    async (field) => {
      ses.on(SendEmailCommand).resolves({});
      const send = sesWelcomeEmail({ client, source: 'a@example.com', subject: `Hi {{${field}|friend}}`, text: `[{{${field}}}]`, html: `<p>{{${field}}}</p>` });

      await send({ email: 'a@example.com' }, context());

      const { Subject, Body } = ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Message!;
      expect([Subject!.Data, Body!.Text!.Data, Body!.Html!.Data]).toEqual(['Hi friend', '[]', '<p></p>']);
    },
  );

  it('fills a profile field of its own named like an Object.prototype member', async () => {
    ses.on(SendEmailCommand).resolves({});
    const send = sesWelcomeEmail({ client, source: 'a@example.com', subject: 'Hi {{constructor}}', text: '{{toString}}' });

    await send({ email: 'a@example.com', constructor: 'Builder', toString: 'Text' } as never, context());

    const { Subject, Body } = ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Message!;
    expect([Subject!.Data, Body!.Text!.Data]).toEqual(['Hi Builder', 'Text']);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<>&"'x`)).toBe('&lt;&gt;&amp;&quot;&#39;x');
  });
});
