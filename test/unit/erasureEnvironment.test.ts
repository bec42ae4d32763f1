import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/index.js';
import { adminChangesFromEnvironment, reconcileFromEnvironment } from '../../src/lambda/handlers.js';
import type { Environment } from '../../src/lambda/environment.js';

/*
 * ERASE_TABLES, read by the ready admin-changes and reconcile handlers at cold start: a
 * wrong value fails there with a ConfigurationError naming the variable and the entry.
 * What a valid one erases is shown end to end in test/e2e/erasure.test.ts.
 */
const MINIMAL = { TABLE_NAME: 'profiles', USER_POOL_ID: 'eu-west-1_AbC123' };

function rejection(factory: (env: Environment) => unknown, env: Environment): ConfigurationError {
  try {
    factory(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('the factory accepted the environment');
}

describe.each([
  ['admin-changes', adminChangesFromEnvironment],
  ['reconcile', reconcileFromEnvironment],
] as const)('ERASE_TABLES for the ready %s handler', (_name, factory) => {
  it('makes a handler with erasure from a valid list, and one without it when unset or empty', () => {
    const tables = [{ table: 'orders', partitionKey: 'userId', sortKey: 'orderId' }, { table: 'comments', partitionKey: 'commentId', index: { name: 'byAuthor', partitionKey: 'authorId' } }];
    expect(typeof factory({ ...MINIMAL, ERASE_TABLES: JSON.stringify(tables) })).toBe('function');
    expect(typeof factory({ ...MINIMAL, ERASE_TABLES: '' })).toBe('function');
  });

  it.each([
    ['not json', 'ERASE_TABLES', 'must be JSON'],
    ['{"table":"orders"}', 'ERASE_TABLES', 'non-empty array'],
    ['[]', 'ERASE_TABLES', 'non-empty array'],
    ['[{"table":"orders","partitionKey":"userId"},{"table":"o"}]', 'ERASE_TABLES[1].table', 'table name'],
    ['[{"table":"orders","partitionKey":""}]', 'ERASE_TABLES[0].partitionKey', 'attribute name'],
    ['[{"table":"orders","partitionKey":"id","index":{"name":"byUser"}}]', 'ERASE_TABLES[0].index.partitionKey', 'attribute name'],
  ])('refuses %s, naming %s', (value, option, problem) => {
    const error = rejection(factory, { ...MINIMAL, ERASE_TABLES: value });

    expect(error.option).toBe(option);
    expect(error.message).toContain(problem);
    expect(error.message).not.toContain('Invalid option `tables');
  });
});
