import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/index.js';
import {
  adminChangesFromEnvironment,
  postConfirmationFromEnvironment,
  preTokenGenerationFromEnvironment,
  reconcileFromEnvironment,
} from '../../src/lambda/handlers.js';
import type { Environment } from '../../src/lambda/environment.js';

/*
 * The ready handlers read their configuration from environment variables at cold start. A
 * wrong or missing one must fail there, with a ConfigurationError naming the variable
 * (never quoting its value), not at the first user's sign-up.
 */

const TABLE = { TABLE_NAME: 'profiles' };
const POOL = { USER_POOL_ID: 'eu-west-1_AbC123' };
const WELCOME = { WELCOME_FROM: 'Example <hello@example.com>', WELCOME_SUBJECT: 'Welcome, {{givenName|friend}}!', WELCOME_TEXT: 'Dear {{name|member}}' };

type Factory = (env: Environment) => unknown;
const FACTORIES: Record<string, Factory> = {
  postConfirmation: postConfirmationFromEnvironment,
  preTokenGeneration: preTokenGenerationFromEnvironment,
  adminChanges: adminChangesFromEnvironment,
  reconcile: reconcileFromEnvironment,
};

function rejection(factory: Factory, env: Environment): ConfigurationError {
  try {
    factory(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('the factory accepted the environment');
}

describe('the ready handlers’ environment', () => {
  describe.each(Object.entries(FACTORIES))('%s', (_name, factory) => {
    const needsPool = factory === adminChangesFromEnvironment || factory === reconcileFromEnvironment;
    const minimal = needsPool ? { ...TABLE, ...POOL } : TABLE;

    it('makes a handler from the minimal environment', () => {
      expect(typeof factory(minimal)).toBe('function');
    });

    it('names TABLE_NAME when it is unset or empty', () => {
      expect(rejection(factory, { ...minimal, TABLE_NAME: undefined }).option).toBe('TABLE_NAME');
      expect(rejection(factory, { ...minimal, TABLE_NAME: '' }).option).toBe('TABLE_NAME');
    });

    it('names TABLE_NAME, not the library option, when the name is not a table name, without quoting it', () => {
      const error = rejection(factory, { ...minimal, TABLE_NAME: 'not a table' });

      expect(error.option).toBe('TABLE_NAME');
      expect(error.message).toMatch(/^Invalid option `TABLE_NAME`: must be a DynamoDB table name/);
      expect(error.message).not.toContain('not a table');
    });

    it('names PARTITION_KEY when it is an attribute the library writes', () => {
      expect(rejection(factory, { ...minimal, PARTITION_KEY: 'createdAt' }).option).toBe('PARTITION_KEY');
    });

    it('accepts a partition key of its own', () => {
      expect(typeof factory({ ...minimal, PARTITION_KEY: 'memberId' })).toBe('function');
    });
  });

  describe.each([
    ['adminChanges', adminChangesFromEnvironment],
    ['reconcile', reconcileFromEnvironment],
  ] as const)('%s and the pool', (_name, factory) => {
    it('names USER_POOL_ID when it is unset, or not a pool id', () => {
      expect(rejection(factory, TABLE).option).toBe('USER_POOL_ID');
      expect(rejection(factory, { ...TABLE, USER_POOL_ID: 'eu-west-1' }).option).toBe('USER_POOL_ID');
    });
  });

  describe.each([
    ['postConfirmation', postConfirmationFromEnvironment, TABLE],
    ['reconcile', reconcileFromEnvironment, { ...TABLE, ...POOL }],
  ] as const)('%s and the welcome', (_name, factory, base) => {
    it('makes a handler with a sender, a subject and a text or an HTML body', () => {
      expect(typeof factory({ ...base, ...WELCOME })).toBe('function');
      expect(typeof factory({ ...base, ...WELCOME, WELCOME_TEXT: undefined, WELCOME_HTML: '<p>Hi {{name}}</p>' })).toBe('function');
    });

    it.each([
      ['no subject', { ...WELCOME, WELCOME_SUBJECT: undefined }, 'WELCOME_SUBJECT'],
      ['no body', { ...WELCOME, WELCOME_TEXT: '' }, 'WELCOME_TEXT'],
      ['a subject but no sender', { WELCOME_SUBJECT: 'Hi' }, 'WELCOME_FROM'],
      ['a body but no sender', { WELCOME_HTML: '<p>Hi</p>' }, 'WELCOME_FROM'],
      ['a sender with a line break', { ...WELCOME, WELCOME_FROM: 'hello@example.com\nBcc: x@example.com' }, 'WELCOME_FROM'],
      ['a subject with a line break', { ...WELCOME, WELCOME_SUBJECT: 'Hi\r\nBcc: x@example.com' }, 'WELCOME_SUBJECT'],
    ])('names the variable for %s', (_label, welcome, variable) => {
      expect(rejection(factory, { ...base, ...welcome }).option).toBe(variable);
    });
  });

  describe('preTokenGeneration and the claims', () => {
    it('makes a handler with claims and access token claims as JSON', () => {
      expect(typeof preTokenGenerationFromEnvironment({ ...TABLE, CLAIMS: '{"plan":"plan"}', ACCESS_TOKEN_CLAIMS: '{"tier":"plan"}' })).toBe('function');
    });

    it.each([
      ['not JSON', { CLAIMS: '{plan: plan}' }, 'CLAIMS'],
      ['a JSON list', { CLAIMS: '["plan"]' }, 'CLAIMS'],
      ['a JSON string', { ACCESS_TOKEN_CLAIMS: '"plan"' }, 'ACCESS_TOKEN_CLAIMS'],
      ['a field that is not a string', { CLAIMS: '{"plan":1}' }, 'CLAIMS.plan'],
      ['a claim Cognito reserves', { CLAIMS: '{"sub":"userId"}' }, 'CLAIMS.sub'],
      ['a cognito: claim in the access token', { ACCESS_TOKEN_CLAIMS: '{"cognito:groups":"plan"}' }, 'ACCESS_TOKEN_CLAIMS.cognito:groups'],
    ])('names the variable for %s', (_label, claims, variable) => {
      expect(rejection(preTokenGenerationFromEnvironment, { ...TABLE, ...claims }).option).toBe(variable);
    });
  });

  it.each([
    ['ON_DELETE', adminChangesFromEnvironment, 'purge', "'mark' or 'delete'"],
    ['ORPHANS', reconcileFromEnvironment, 'ignore', "'report' or 'mark' or 'delete'"],
  ] as const)('names %s when it is not one of its choices', (variable, factory, value, choices) => {
    const error = rejection(factory, { ...TABLE, ...POOL, [variable]: value });

    expect(error.option).toBe(variable);
    expect(error.message).toContain(choices);
  });

  it.each([
    ['not a number', 'many', 'must be a whole number'],
    ['a fraction', '2.5', 'must be a whole number'],
    ['not a power of two', '3', 'must be a power of two from 1 to 256'],
    ['past 256', '512', 'must be a power of two from 1 to 256'],
  ])('names ORPHAN_SLICES when it is %s', (_label, value, problem) => {
    const error = rejection(reconcileFromEnvironment, { ...TABLE, ...POOL, ORPHAN_SLICES: value });

    expect(error.option).toBe('ORPHAN_SLICES');
    expect(error.message).toContain(problem);
    expect(error.message).not.toContain(value); // the variable is named, never its value
  });

  it('accepts ORPHAN_SLICES as a power of two', () => {
    for (const value of ['1', '32', '256']) expect(typeof reconcileFromEnvironment({ ...TABLE, ...POOL, ORPHAN_SLICES: value })).toBe('function');
  });

  it.each([
    ['ON_DELETE', adminChangesFromEnvironment, ['mark', 'delete']],
    ['ORPHANS', reconcileFromEnvironment, ['report', 'mark', 'delete']],
  ] as const)('accepts each choice of %s', (variable, factory, choices) => {
    for (const value of choices) expect(typeof factory({ ...TABLE, ...POOL, [variable]: value })).toBe('function');
  });
});
