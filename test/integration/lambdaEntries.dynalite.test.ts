import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { startSes, type TestSes } from '../support/ses.js';

/*
 * The ready entry modules as Lambda runs them: configured by nothing but environment
 * variables, read when the module loads, with the default clients (which find the local
 * servers through AWS_ENDPOINT_URL_*). One from the source, one from the bundle the
 * construct deploys (dist/functions/, built by `npm test`).
 */

let dynamo: TestDynamo;
let ses: TestSes;
const saved = { ...process.env };

beforeAll(async () => {
  [dynamo, ses] = await Promise.all([startDynalite(), startSes()]);
  await Promise.all([dynamo.createTable('ready-profiles'), dynamo.createTable('ready-members', 'memberId')]);
});
afterAll(async () => {
  process.env = saved;
  await Promise.all([dynamo?.stop(), ses?.stop()]);
});
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

function environment(variables: Record<string, string>): void {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SES: ses.endpoint,
    ...variables,
  });
}

describe('the ready PostConfirmation entry (source)', () => {
  it('creates the row and sends the configured welcome once, logging no address', async () => {
    // Prepare
    environment({
      TABLE_NAME: 'ready-profiles',
      WELCOME_FROM: 'Example <hello@example.com>',
      WELCOME_SUBJECT: 'Welcome, {{givenName|friend}}!',
      WELCOME_TEXT: 'Dear {{name|member}}, thank you for signing up.',
    });
    const lines: string[] = [];
    vi.spyOn(console, 'info').mockImplementation((line: string) => void lines.push(line));
    const { handler } = (await import('../../src/lambda/postConfirmation.js')) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
    const event = buildPostConfirmationEvent({ userAttributes: { email: 'ada@example.com', given_name: 'Ada', name: 'Ada Lovelace' } });
    const sub = event.request.userAttributes.sub!;

    // Act
    await handler(structuredClone(event), buildLambdaContext());
    await handler(structuredClone(event), buildLambdaContext());

    // Assess
    expect(await dynamo.getItem('ready-profiles', { userId: sub })).toMatchObject({ userId: sub, email: 'ada@example.com', givenName: 'Ada' });
    const mail = await ses.sentMail();
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      destination: { to: ['ada@example.com'] },
      subject: 'Welcome, Ada!',
      body: { text: 'Dear Ada Lovelace, thank you for signing up.' },
    });
    expect(mail[0]!.from).toContain('hello@example.com');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).toContain(sub);
    expect(lines.join('\n')).not.toContain('ada@example.com');
  });
});

describe('the ready PreTokenGeneration entry (source)', () => {
  it("welcomes a user made by AdminCreateUser once, at the first sign-ins, from the same WELCOME_* variables", async () => {
    // Prepare
    environment({ TABLE_NAME: 'ready-profiles', WELCOME_FROM: 'hello@example.com', WELCOME_SUBJECT: 'Welcome, {{givenName|friend}}!', WELCOME_TEXT: 'Hi {{givenName}}' });
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const { handler } = (await import('../../src/lambda/preTokenGeneration.js')) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
    const email = `grace-${Date.now()}@example.com`;
    const event = buildPreTokenGenerationEvent({ triggerSource: 'TokenGeneration_NewPasswordChallenge', userAttributes: { email, given_name: 'Grace' } });
    const sub = event.request.userAttributes.sub!;
    const before = (await ses.sentMail()).length;

    // Act: the first sign-in, and a retry of it
    await handler(structuredClone(event), buildLambdaContext());
    await handler(structuredClone(event), buildLambdaContext());

    // Assess
    const mail = (await ses.sentMail()).slice(before);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ destination: { to: [email] }, subject: 'Welcome, Grace!' });
    expect(await dynamo.getItem('ready-profiles', { userId: sub })).toMatchObject({ welcomeSentAt: expect.any(String) });
  });
});

describe('the ready PreTokenGeneration bundle (dist/functions)', () => {
  const bundle = join(process.cwd(), 'dist', 'functions', 'pre-token-generation', 'index.mjs');

  it('upserts the row under PARTITION_KEY and adds the CLAIMS from it to a V2 token', async () => {
    // Prepare
    expect(existsSync(bundle), 'run `npm run build` first').toBe(true);
    environment({ TABLE_NAME: 'ready-members', PARTITION_KEY: 'memberId', CLAIMS: '{"member:email":"email"}', ACCESS_TOKEN_CLAIMS: '{"tier":"givenName"}' });
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: (event: unknown, context: unknown) => Promise<Record<string, any>> };
    const event = buildPreTokenGenerationEvent({ version: '2', userAttributes: { email: 'grace@example.com', given_name: 'Grace' } });
    const sub = event.request.userAttributes.sub!;

    // Act
    const result = await handler(event, buildLambdaContext());

    // Assess
    expect(await dynamo.getItem('ready-members', { memberId: sub })).toMatchObject({ memberId: sub, email: 'grace@example.com', lastLoginAt: expect.any(String) });
    expect(result.response.claimsAndScopeOverrideDetails).toMatchObject({
      idTokenGeneration: { claimsToAddOrOverride: { 'member:email': 'grace@example.com' } },
      accessTokenGeneration: { claimsToAddOrOverride: { tier: 'Grace' } },
    });
  });

  it('fails to load, naming the variable, when TABLE_NAME is missing', async () => {
    // A fresh copy of the module (a query string), as a new cold start.
    environment({});
    delete process.env.TABLE_NAME;

    await expect(import(`${pathToFileURL(bundle).href}?cold-start=2`)).rejects.toMatchObject({ name: 'ConfigurationError', option: 'TABLE_NAME' });
  });
});
