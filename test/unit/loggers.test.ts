import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Writable } from 'node:stream';
import pino from 'pino10';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPostConfirmationHandler, type Logger } from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';

/* The log line as each real logger writes it: the fields arrive, and no personal data does. */
const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'eu-west-1' });
const EMAIL = 'ana.lopez@example.com';

afterEach(() => {
  ddb.reset();
  vi.restoreAllMocks();
});

async function confirmWith(logger: Logger) {
  ddb.on(PutItemCommand).resolves({});
  const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger });
  const event = buildPostConfirmationEvent({ userAttributes: { email: EMAIL } });
  await handler(event, buildLambdaContext());
  return event.request.userAttributes.sub!;
}

describe('real loggers', () => {
  it('pino writes the one line with its fields', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });

    const sub = await confirmWith(pino({ base: null }, destination));

    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 30, message: 'cognito-profile-sync PostConfirmation', sub, outcome: 'created', welcome: 'off' });
    expect(lines[0]).not.toContain(EMAIL);
  });

  it('Powertools Logger writes the one line with its fields', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));

    const sub = await confirmWith(new PowertoolsLogger({ serviceName: 'members', logLevel: 'INFO' }));

    const lines = written.join('').split('\n').filter(Boolean).map((text) => JSON.parse(text));
    expect(lines).toEqual([expect.objectContaining({ level: 'INFO', service: 'members', message: 'cognito-profile-sync PostConfirmation', sub, outcome: 'created' })]);
    expect(written.join('')).not.toContain(EMAIL);
  });

  it('console, given as is, gets one JSON line', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);

    const sub = await confirmWith(console);

    expect(info).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(info.mock.calls[0]![0]))).toMatchObject({ sub, outcome: 'created' });
  });
});
