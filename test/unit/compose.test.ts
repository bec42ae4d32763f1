import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  asWelcome,
  compose,
  ConfigurationError,
  isProfileSyncError,
  profileSync,
  withProfileSync,
  type Step,
  type WelcomeContext,
} from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

const ddb = mockClient(DynamoDBClient);
const table = { name: 'profiles', client: new DynamoDBClient({ region: 'us-east-1' }) };
const forgotPassword = () => buildPostConfirmationEvent({ triggerSource: 'PostConfirmation_ConfirmForgotPassword' });
const ccf = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

describe('compose', () => {
  afterEach(() => ddb.reset());

  it('runs steps in order around the handler, outermost first', async () => {
    const order: string[] = [];
    const step = (name: string): Step => (next) => async (event, context) => {
      order.push(`${name}:before`);
      const result = await next(event, context);
      order.push(`${name}:after`);
      return result;
    };

    await compose(step('a'), step('b'))(async (event) => {
      order.push('handler');
      return event;
    })(buildPostConfirmationEvent(), buildLambdaContext());

    expect(order).toEqual(['a:before', 'b:before', 'handler', 'b:after', 'a:after']);
  });

  it('accepts a handler in callback style', async () => {
    const event = buildPostConfirmationEvent();
    const legacy = (e: PostConfirmationTriggerEvent, _c: Context, callback: (error: unknown, result?: PostConfirmationTriggerEvent) => void) => {
      setTimeout(() => callback(null, { ...e, response: {} }), 1);
    };

    await expect(compose()(legacy)(event, buildLambdaContext())).resolves.toEqual(event);
  });

  it('rejects with the error a callback-style handler reports', async () => {
    const failure = new Error('legacy failed');
    const legacy = (_e: unknown, _c: unknown, callback: (error: unknown) => void) => callback(failure);

    await expect(compose()(legacy)(buildPostConfirmationEvent(), buildLambdaContext())).rejects.toBe(failure);
  });

  it('hands the event back when a handler returns nothing', async () => {
    const event = buildPostConfirmationEvent();

    await expect(compose()(async () => undefined)(event, buildLambdaContext())).resolves.toBe(event);
  });

  it('rejects a step that is not a function at configuration', () => {
    expect(() => compose('nope' as never)).toThrow(ConfigurationError);
  });
});

describe('withProfileSync', () => {
  afterEach(() => ddb.reset());

  it("writes the row, then runs the existing handler on every invocation by default ('always')", async () => {
    ddb.on(PutItemCommand).resolves({});
    const existing = vi.fn(async (event: PostConfirmationTriggerEvent) => event);
    const handler = withProfileSync({ table, logger: recordingLogger() })(existing);

    await handler(buildPostConfirmationEvent(), buildLambdaContext());
    await handler(forgotPassword(), buildLambdaContext());

    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(1);
    expect(existing).toHaveBeenCalledTimes(2);
  });

  it("keeps the existing handler's failures as they were ('always')", async () => {
    ddb.on(PutItemCommand).resolves({});
    const failure = new Error('team code failed');
    const handler = withProfileSync({ table, logger: recordingLogger() })(async () => {
      throw failure;
    });

    await expect(handler(buildPostConfirmationEvent(), buildLambdaContext())).rejects.toBe(failure);
  });

  it("does not run the existing handler for skipped sources with 'unless-skipped'", async () => {
    const existing = vi.fn(async (event: PostConfirmationTriggerEvent) => event);
    const handler = withProfileSync({ table, runExisting: 'unless-skipped', logger: recordingLogger() })(existing);
    const event = forgotPassword();

    await expect(handler(event, buildLambdaContext())).resolves.toBe(event);

    expect(existing).not.toHaveBeenCalled();
  });

  it("makes the existing handler the once-only welcome with 'as-welcome'", async () => {
    // Prepare: first delivery creates the row, the retry finds it and a sent welcome
    ddb.on(PutItemCommand).resolvesOnce({}).rejects(ccf()).on(UpdateItemCommand).resolvesOnce({}).rejects(ccf());
    const existing = vi.fn(async (event: PostConfirmationTriggerEvent) => event);
    const handler = withProfileSync({ table, runExisting: 'as-welcome', logger: recordingLogger() })(existing);
    const event = buildPostConfirmationEvent();

    // Act
    await handler(event, buildLambdaContext());
    await handler(structuredClone(event), buildLambdaContext());
    await handler(forgotPassword(), buildLambdaContext());

    // Assess
    expect(existing).toHaveBeenCalledTimes(1);
    expect(existing.mock.calls[0]![0]).toEqual(event);
  });

  it("never fails the confirmation when the welcome-handler throws ('as-welcome')", async () => {
    ddb.on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({});
    const handler = withProfileSync({ table, runExisting: 'as-welcome', logger: recordingLogger() })(async () => {
      throw new Error('SES down');
    });
    const event = buildPostConfirmationEvent();

    await expect(handler(event, buildLambdaContext())).resolves.toBe(event);
    // The claim is released so that the next delivery retries.
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input.UpdateExpression).toBe('SET #failedAt = :failedAt REMOVE #claimId, #expiresAt');
  });

  it('refuses two welcome steps', () => {
    expect(() => withProfileSync({ table, runExisting: 'as-welcome', onWelcome: async () => undefined })).toThrow(
      expect.objectContaining({ option: 'onWelcome' }),
    );
  });

  it('refuses an unknown runExisting', () => {
    expect(() => withProfileSync({ table, runExisting: 'sometimes' as never })).toThrow(
      expect.objectContaining({ option: 'runExisting' }),
    );
  });
});

describe('a wrapped handler that fails with something other than an Error', () => {
  afterEach(() => ddb.reset());

  const reasons: Array<[string, unknown, string]> = [
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a string', 'ana@example.com', 'a string'],
    ['false', false, 'a boolean'],
  ];

  it.each(reasons)("has failed as the welcome when it rejects with %s ('as-welcome'): not marked sent, run again on the next delivery", async (_label, reason, kind) => {
    // Prepare: the first delivery creates the row; the redelivery finds it and claims the welcome
    ddb.on(PutItemCommand).resolvesOnce({}).rejects(ccf()).on(UpdateItemCommand).resolves({});
    const existing = vi.fn().mockImplementationOnce(() => Promise.reject(reason)).mockImplementation(async (event: PostConfirmationTriggerEvent) => event);
    const logger = recordingLogger();
    const handler = withProfileSync({ table, runExisting: 'as-welcome', logger })(existing);
    const event = buildPostConfirmationEvent();

    // Act
    await expect(handler(event, buildLambdaContext())).resolves.toBe(event);
    await handler(structuredClone(event), buildLambdaContext());

    // Assess
    expect(existing).toHaveBeenCalledTimes(2);
    expect(ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input.UpdateExpression)).toEqual([
      'SET #failedAt = :failedAt REMOVE #claimId, #expiresAt', // the first run's claim given up
      'SET #claimId = :claimId, #expiresAt = :expiresAt REMOVE #failedAt', // the redelivery's claim
      'SET #sentAt = :sentAt REMOVE #claimId, #expiresAt, #failedAt',
    ]);
    expect(logger.records.map(({ level, record }) => [level, record.welcome, record.welcomeError])).toEqual([
      ['warn', 'failed', { name: 'WelcomeError' }],
      ['info', 'sent', undefined],
    ]);
    expect(logger.text()).not.toContain('ana@example.com');
    await expect(asWelcome(() => Promise.reject(reason))({}, welcomeContext(event))).rejects.toThrow(
      `The welcome handler failed with ${kind}, not an Error`,
    );
  });

  it.each(reasons)("fails the trigger when it rejects with %s ('always'), with a typed error naming the kind, not the value", async (_label, reason, kind) => {
    ddb.on(PutItemCommand).resolves({});
    const handler = withProfileSync({ table, logger: recordingLogger() })(() => Promise.reject(reason));

    const error = await handler(buildPostConfirmationEvent(), buildLambdaContext()).then(
      () => 'resolved',
      (caught: unknown) => caught,
    );

    expect(isProfileSyncError(error)).toBe(true);
    expect((error as Error).message).toBe(`The wrapped handler failed with ${kind}, not an Error`);
  });

  it.each(reasons)('fails when a handler throws %s synchronously', async (_label, reason) => {
    const thrower = () => {
      throw reason;
    };

    await expect(compose()(thrower)(buildPostConfirmationEvent(), buildLambdaContext())).rejects.toSatisfy(isProfileSyncError);
  });

  it('fails when a callback-style handler calls back with a string, and keeps an Error as it is', async () => {
    const failure = new Error('legacy failed');
    const withString = (_e: unknown, _c: unknown, callback: (error: unknown) => void) => callback('ana@example.com');
    const withError = (_e: unknown, _c: unknown, callback: (error: unknown) => void) => callback(failure);

    await expect(compose()(withString)(buildPostConfirmationEvent(), buildLambdaContext())).rejects.toThrow(
      'The wrapped handler failed with a string, not an Error',
    );
    await expect(compose()(withError)(buildPostConfirmationEvent(), buildLambdaContext())).rejects.toBe(failure);
  });

  it.each([null, undefined])('succeeds when a callback-style handler calls back with %s and a result', async (error) => {
    const event = buildPostConfirmationEvent();
    const result = { ...event, userName: 'returned' };
    const legacy = (_e: unknown, _c: unknown, callback: (error: unknown, result?: PostConfirmationTriggerEvent) => void) =>
      callback(error, result);

    await expect(compose()(legacy)(event, buildLambdaContext())).resolves.toBe(result);
  });
});

function welcomeContext(event: PostConfirmationTriggerEvent): WelcomeContext {
  const sub = event.request.userAttributes.sub!;
  return { sub, attributes: { sub }, signal: new AbortController().signal, event };
}

describe('profileSync step', () => {
  afterEach(() => ddb.reset());

  it('does not call the next handler when the profile write fails', async () => {
    ddb.on(PutItemCommand).rejects(new Error('down'));
    const next = vi.fn();

    await expect(
      compose(profileSync({ table, logger: recordingLogger() }))(next)(buildPostConfirmationEvent(), buildLambdaContext()),
    ).rejects.toMatchObject({ name: 'ProfileWriteError' });
    expect(next).not.toHaveBeenCalled();
  });
});

describe('asWelcome', () => {
  it('fails clearly when there is no trigger event to hand the handler', async () => {
    const welcome = asWelcome(async (event) => event);

    await expect(
      Promise.resolve(welcome({}, { sub: 's', attributes: { sub: 's' }, signal: new AbortController().signal })),
    ).rejects.toMatchObject({ name: 'WelcomeError' });
  });
});
