import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, createPostConfirmationHandler, isConfigurationError, type ProfileSyncOptions } from '../../src/index.js';

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
});
