import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  ClaimError,
  CognitoReadError,
  ConfigurationError,
  createPostConfirmationHandler,
  DeadlineExceededError,
  ErasureError,
  InvalidEventError,
  InvalidProfileError,
  isConfigurationError,
  isProfileReadError,
  isProfileWriteError,
  isWelcomeError,
  ProfileReadError,
  type ProfileSyncOptions,
  ProfileWriteError,
  WelcomeError,
} from '../../src/index.js';

const client = new DynamoDBClient({ region: 'us-east-1' });

describe('configuration', () => {
  const cases: Array<[string, unknown, string]> = [
    ['no options', undefined, 'options'],
    ['no table (an unset environment variable)', { table: undefined }, 'table'],
    ['an empty table name', { table: '' }, 'table'],
    ['a table name with spaces', { table: 'my table' }, 'table'],
    ['a too-short table name', { table: 'ab' }, 'table'],
    ['an object without a name', { table: { partitionKey: 'id' } }, 'table.name'],
    ['an empty partition key', { table: { name: 'profiles', partitionKey: '' } }, 'table.partitionKey'],
    ['createdAt as the partition key', { table: { name: 'profiles', partitionKey: 'createdAt' } }, 'table.partitionKey'],
    ['a client and clientConfig', { table: { name: 'profiles', client, clientConfig: {} } }, 'table.client'],
    ['a client that is not one', { table: { name: 'profiles', client: {} } }, 'table.client'],
    ['a mapper that is not a function', { table: 'profiles', mapAttributes: {} }, 'mapAttributes'],
    ['a welcome that is not a function', { table: 'profiles', onWelcome: 'yes' }, 'onWelcome'],
    ['a lease under a second', { table: 'profiles', onWelcome: async () => undefined, welcomeLeaseMs: 10 }, 'welcomeLeaseMs'],
    ['a welcome delivery that is not one', { table: 'profiles', onWelcome: async () => undefined, welcomeDelivery: 'exactly-once' }, 'welcomeDelivery'],
    ['skipped sources as a string', { table: 'profiles', skipTriggerSources: 'PostConfirmation_ConfirmForgotPassword' }, 'skipTriggerSources'],
    ['a negative deadline', { table: 'profiles', deadlineMs: -1 }, 'deadlineMs'],
    ['a zero deadline', { table: 'profiles', deadlineMs: 0 }, 'deadlineMs'],
    ['a margin that is not a number', { table: 'profiles', safetyMarginMs: '500' }, 'safetyMarginMs'],
  ];

  it.each(cases)('rejects %s when the handler is created, naming the option', (_label, options, option) => {
    const create = () => createPostConfirmationHandler(options as ProfileSyncOptions);

    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(expect.objectContaining({ option }));
  });

  it('accepts a table ARN', () => {
    expect(() =>
      createPostConfirmationHandler({ table: 'arn:aws:dynamodb:eu-west-1:123456789012:table/profiles' }),
    ).not.toThrow();
  });

  it('builds no client until the first invocation, so creating the handler needs no region', () => {
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      expect(() => createPostConfirmationHandler({ table: 'profiles' })).not.toThrow();
    } finally {
      if (saved !== undefined) process.env.AWS_REGION = saved;
    }
  });
});

describe('error guards', () => {
  it('recognise an error from another copy of the package by its brand', () => {
    const foreign = Object.assign(new Error('x'), { name: 'ConfigurationError', [Symbol.for('cognito-profile-sync.error')]: true });

    expect(isConfigurationError(foreign)).toBe(true);
    expect(isConfigurationError(new Error('x'))).toBe(false);
    expect(isConfigurationError(Object.assign(new Error('x'), { name: 'ConfigurationError' }))).toBe(false);
  });

  it('name each error after its class, as its own property and in its stack, with its data', () => {
    const cause = Object.assign(new Error('secret@example.com'), { name: 'ThrottlingException' });
    const errors = [
      new ConfigurationError('table', 'is required'),
      new InvalidEventError('userName', 'must be a string'),
      new InvalidProfileError('profile', 'is too big', { cause }),
      new ClaimError('claims.plan', 'threw', { cause }),
      new ProfileWriteError('createProfile', 'profiles', cause),
      new ProfileReadError('batchGetProfiles', 'profiles', cause),
      new DeadlineExceededError('createProfile', 4000),
      new CognitoReadError('ListUsers', cause),
      new WelcomeError('no recipient', { cause }),
      new ErasureError('sub-1', 'threw', { cause }),
    ];

    for (const error of errors) {
      expect(error.name).toBe(error.constructor.name);
      expect(Object.getOwnPropertyDescriptor(error, 'name')).toMatchObject({ value: error.constructor.name, writable: true, enumerable: true });
      expect(error.stack?.startsWith(`${error.name}: ${error.message}`)).toBe(true);
    }
    expect(errors[4]).toMatchObject({ operation: 'createProfile', table: 'profiles', cause, message: 'createProfile on table "profiles" failed: ThrottlingException' });
    expect(errors[5]).toMatchObject({ operation: 'batchGetProfiles', table: 'profiles', cause, message: 'batchGetProfiles on table "profiles" failed: ThrottlingException' });
    expect([isProfileWriteError(errors[4]), isProfileReadError(errors[4]), isProfileReadError(errors[5]), isWelcomeError(errors[8])]).toEqual([true, false, true, true]);
  });
});
