import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createPostConfirmationHandler,
  createPreTokenGenerationHandler,
  sesWelcomeEmail,
  type AttributeMapper,
  type Profile,
  type SesWelcomeEmailOptions,
} from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';
import { startSes, type TestSes } from '../support/ses.js';

/*
 * Hostile values where they can do harm: user-controlled names in welcome mails, mapper
 * output aimed at the library's own attributes, and field names that are DynamoDB
 * expression syntax. Each goes through the real emulators.
 */
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let dynamo: TestDynamo;
let ses: TestSes;
let tables = 0;
let table: string;

beforeAll(async () => {
  [dynamo, ses] = await Promise.all([startDynalite(), startSes()]);
});
afterAll(async () => {
  await Promise.all([dynamo?.stop(), ses?.stop()]);
});
beforeEach(async () => {
  table = `injection-${++tables}`;
  await Promise.all([dynamo.createTable(table), ses.clear()]);
});

function uniqueEmail() {
  return `inj-${Math.random().toString(36).slice(2, 10)}@example.com`;
}

function welcomeHandler(message: Partial<SesWelcomeEmailOptions> = {}) {
  const logger = recordingLogger();
  const handler = createPostConfirmationHandler({
    table: { name: table, client: dynamo.client },
    onWelcome: sesWelcomeEmail({
      source: 'hello@example.com',
      subject: 'Welcome, {{givenName|friend}}',
      text: 'Dear {{name}}, welcome.',
      html: '<p title="{{name}}">Dear {{name}}, welcome.</p>',
      clientConfig: { endpoint: ses.endpoint, region: 'us-east-1', credentials },
      ...message,
    } as SesWelcomeEmailOptions),
    logger,
  });
  return { handler, logger };
}

describe('welcome templates with hostile names (aws-ses-v2-local)', () => {
  it('escapes markup in the html body, keeps the text verbatim, and never re-expands placeholders or $-patterns in values', async () => {
    // Prepare
    const { handler, logger } = welcomeHandler();
    const email = uniqueEmail();
    const name = `"><script>alert('x')</script> & {{email}} $& $' $\``;
    const event = buildPostConfirmationEvent({ userName: email, userAttributes: { email, name, given_name: 'Mal<b>' } });

    // Act
    await handler(event, buildLambdaContext());

    // Assess
    const [mail, ...others] = await ses.sentMail();
    expect(others).toEqual([]);
    const escaped = `&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; {{email}} $&amp; $&#39; $\``;
    expect(mail?.body.html).toBe(`<p title="${escaped}">Dear ${escaped}, welcome.</p>`);
    expect(mail?.body.text).toBe(`Dear ${name}, welcome.`);
    expect(mail?.subject).toBe('Welcome, Mal<b>');
    expect(mail?.body.text).not.toContain(email);
    expect(logger.text()).not.toContain(email);
  });

  it('sends a 2,048-character name (the Cognito maximum) of markup and multi-byte text, fully escaped', async () => {
    // Prepare
    const { handler } = welcomeHandler({ subject: 'Welcome', text: '{{name}}', html: '{{name}}' });
    const name = `<&>"'é😀`.repeat(256).slice(0, 2048);
    const event = buildPostConfirmationEvent({ userAttributes: { email: uniqueEmail(), name } });

    // Act
    await handler(event, buildLambdaContext());

    // Assess
    const [mail] = await ses.sentMail();
    expect(mail?.body.text).toBe(name);
    expect(mail?.body.html).toBe(name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  });

  it.each([
    ['a given name in the subject', { given_name: 'Mal\r\nBcc: victim@evil.example' }],
    ['a given name with a bare LF', { given_name: 'Mal\nBcc: victim@evil.example' }],
    ['the recipient address', { email: 'mal@example.com\r\nBcc: victim@evil.example' }],
  ])('sends nothing when %s carries a line break, and still confirms', async (_label, attributes) => {
    // Prepare
    const { handler, logger } = welcomeHandler();
    const event = buildPostConfirmationEvent({ userAttributes: { email: uniqueEmail(), ...attributes } });
    const sub = event.request.userAttributes.sub!;

    // Act
    const result = await handler(event, buildLambdaContext());

    // Assess
    expect(result).toEqual(event);
    expect(await ses.sentMail()).toEqual([]);
    expect(await dynamo.getItem(table, { userId: sub })).toMatchObject({ userId: sub });
    expect(logger.records).toMatchObject([{ level: 'warn', record: { outcome: 'created', welcome: 'failed', welcomeError: { name: 'WelcomeError' } } }]);
    expect(logger.text()).not.toContain('victim@evil.example');
    expect(logger.text()).not.toContain(event.request.userAttributes.email!.split('\r')[0]);
  });

  it.each([
    ['source', { source: 'hello@example.com\r\nBcc: victim@evil.example' }],
    ['subject', { subject: 'Welcome\nBcc: victim@evil.example' }],
    ['replyTo[0]', { replyTo: ['help@example.com\r\n'] }],
  ])('refuses a line break in the %s option when the handler is built', (option, overrides) => {
    const build = () => sesWelcomeEmail({ source: 'hello@example.com', subject: 'Welcome', text: 'Hi', ...overrides });

    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(expect.objectContaining({ option }));
  });
});

describe('mapper output aimed at the library attributes (dynalite round trip)', () => {
  const forged = {
    createdAt: '1970-01-01T00:00:00.000Z',
    welcomeSentAt: '1970-01-01T00:00:00.000Z',
    welcomeClaimId: 'forged',
    welcomeClaimExpiresAt: 8_640_000_000_000_000,
    welcomeFailedAt: '1970-01-01T00:00:00.000Z',
    plan: 'free',
  };

  it.each(['userId', 'id'])('PostConfirmation keeps the key (%s) the sub and createdAt the sync time; a forged welcome marker neither blocks nor counts', async (partitionKey) => {
    // Prepare: the first welcome looks at the row it holds the claim on, then fails; the
    // redelivery must be free to claim it again and send
    const keyed = `${table}-${partitionKey}`;
    await dynamo.createTable(keyed, partitionKey);
    const welcomed: string[] = [];
    const seenDuringSend: Array<Record<string, unknown> | undefined> = [];
    const handler = createPostConfirmationHandler({
      table: { name: keyed, partitionKey, client: dynamo.client },
      mapAttributes: () => ({ ...forged, [partitionKey]: 'victim-sub' }),
      onWelcome: async (profile: Profile) => {
        seenDuringSend.push(await dynamo.getItem(keyed, { [partitionKey]: profile[partitionKey] as string }));
        if (seenDuringSend.length === 1) throw new Error('first send fails');
        welcomed.push(profile[partitionKey] as string);
      },
      logger: recordingLogger(),
    });
    const event = buildPostConfirmationEvent();
    const sub = event.request.userAttributes.sub!;
    const before = new Date().toISOString();

    // Act
    await handler(structuredClone(event), buildLambdaContext());
    const afterFailure = await dynamo.getItem(keyed, { [partitionKey]: sub });
    await handler(structuredClone(event), buildLambdaContext());

    // Assess: while sending, the row holds the library's own claim and no forged marker
    for (const row of seenDuringSend) {
      expect(row).toMatchObject({ [partitionKey]: sub, welcomeClaimId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(Number(row?.welcomeClaimExpiresAt)).toBeLessThan(Date.now() + 120_000);
      expect(row).not.toHaveProperty('welcomeSentAt');
    }
    expect(afterFailure?.welcomeFailedAt).not.toBe(forged.welcomeFailedAt);
    expect(afterFailure).not.toHaveProperty('welcomeSentAt');
    const rows = await dynamo.scan(keyed);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ [partitionKey]: sub, plan: 'free' });
    expect(String(rows[0]?.createdAt) >= before).toBe(true);
    expect(String(rows[0]?.welcomeSentAt) >= before).toBe(true);
    expect(seenDuringSend).toHaveLength(2);
    expect(welcomed).toEqual([sub]);
  });

  it('PreTokenGeneration cannot move the key, roll back createdAt or forge the welcome marker of an existing row', async () => {
    // Prepare: a row PostConfirmation made, with its welcome sent
    const confirm = createPostConfirmationHandler({
      table: { name: table, client: dynamo.client },
      onWelcome: async () => undefined,
      logger: recordingLogger(),
    });
    const event = buildPostConfirmationEvent();
    const sub = event.request.userAttributes.sub!;
    await confirm(event, buildLambdaContext());
    const original = await dynamo.getItem(table, { userId: sub });
    const signIn = createPreTokenGenerationHandler({
      table: { name: table, client: dynamo.client },
      mapAttributes: () => ({ ...forged, userId: 'victim-sub', lastLoginAt: '1970-01-01T00:00:00.000Z' }),
      logger: recordingLogger(),
    });

    // Act
    await signIn(buildPreTokenGenerationEvent({ sub }), buildLambdaContext());

    // Assess
    const rows = await dynamo.scan(table);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      userId: sub,
      plan: 'free',
      createdAt: original?.createdAt,
      welcomeSentAt: original?.welcomeSentAt,
    });
    expect(rows[0]?.lastLoginAt).not.toBe('1970-01-01T00:00:00.000Z');
    expect(rows[0]?.welcomeClaimId).toBe(original?.welcomeClaimId);
  });
});

describe('field names that are DynamoDB expression syntax (dynalite round trip)', () => {
  const FIELDS = [
    'name', 'status', 'date', 'size', 'data', 'key', 'value', 'SET', 'REMOVE', 'attribute_not_exists(#pk)',
    '#x', ':v', '#pk', ':now', '#f0', ':f0', '#updatedAt', 'a.b', 'with space', 'list[0]', 'a=b, c', 'x OR y',
    '名前', '🙂', 'userId ',
  ];
  /** Every field's value carries the delivery's tag, so an update is visible on each one. */
  const mapper: AttributeMapper = (attributes) =>
    Object.fromEntries(FIELDS.map((field) => [field, `${attributes['custom:tag']}:${field}`]));
  const expected = (tag: string) => Object.fromEntries(FIELDS.map((field) => [field, `${tag}:${field}`]));

  it.each(['userId', 'data'])('PostConfirmation stores them and PreTokenGeneration updates them (partition key %s)', async (partitionKey) => {
    // Prepare
    const keyed = `${table}-${partitionKey}`;
    await dynamo.createTable(keyed, partitionKey);
    const tableOption = { name: keyed, partitionKey, client: dynamo.client };
    const confirm = createPostConfirmationHandler({ table: tableOption, mapAttributes: mapper, onWelcome: async () => undefined, logger: recordingLogger() });
    const signIn = createPreTokenGenerationHandler({
      table: tableOption,
      mapAttributes: mapper,
      claims: { tier: 'status', spaced: 'with space' },
      failOpen: false,
      logger: recordingLogger(),
    });
    const event = buildPostConfirmationEvent({ userAttributes: { 'custom:tag': 'one' } });
    const sub = event.request.userAttributes.sub!;

    // Act
    await confirm(event, buildLambdaContext());
    const created = await dynamo.getItem(keyed, { [partitionKey]: sub });
    const token = await signIn(buildPreTokenGenerationEvent({ sub, userAttributes: { 'custom:tag': 'two' } }), buildLambdaContext());
    const updated = await dynamo.getItem(keyed, { [partitionKey]: sub });

    // Assess
    const { [partitionKey]: _key, ...fieldsOne } = expected('one');
    const { [partitionKey]: _key2, ...fieldsTwo } = expected('two');
    expect(created).toMatchObject({ ...fieldsOne, [partitionKey]: sub, welcomeSentAt: expect.any(String) });
    expect(updated).toMatchObject({ ...fieldsTwo, [partitionKey]: sub, createdAt: created?.createdAt, welcomeSentAt: created?.welcomeSentAt });
    expect(updated?.lastLoginAt).toEqual(expect.any(String));
    expect((token.response as any).claimsOverrideDetails.claimsToAddOrOverride).toEqual({ tier: 'two:status', spaced: 'two:with space' });
  });

  it('PreTokenGeneration creates the row of a user who never confirmed (AdminCreateUser) with every such field', async () => {
    const signIn = createPreTokenGenerationHandler({ table: { name: table, client: dynamo.client }, mapAttributes: mapper, failOpen: false, logger: recordingLogger() });
    const event = buildPreTokenGenerationEvent({ triggerSource: 'TokenGeneration_NewPasswordChallenge', userAttributes: { 'custom:tag': 'new' } });
    const sub = event.request.userAttributes.sub!;

    await signIn(event, buildLambdaContext());

    expect(await dynamo.getItem(table, { userId: sub })).toMatchObject({ ...expected('new'), userId: sub, createdAt: expect.any(String) });
  });
});
