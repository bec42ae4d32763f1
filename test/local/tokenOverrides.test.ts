import { describe, expect, it } from 'vitest';
import { type DraftTokens, applyTokenOverrides } from '../../src/local/tokenOverrides.js';

/* The rules of applying a pre token generation result, case by case; conformance.test.ts runs them end to end. */

const draft = (): DraftTokens => ({
  id: { sub: 'u-1', email: 'ada@example.com', 'cognito:groups': ['staff'], 'cognito:roles': ['arn:role/staff'], 'cognito:preferred_role': 'arn:role/staff' },
  access: { sub: 'u-1', 'cognito:groups': ['staff'], username: 'u-1' },
  scopes: ['aws.cognito.signin.user.admin'],
});

describe('applyTokenOverrides', () => {
  it('suppresses a claim that is also added (V1)', () => {
    const tokens = draft();

    applyTokenOverrides('V1_0', { claimsOverrideDetails: { claimsToAddOrOverride: { email: 'x@example.com', plan: 'pro' }, claimsToSuppress: ['email'] } }, tokens);

    expect(tokens.id).not.toHaveProperty('email');
    expect(tokens.id.plan).toBe('pro');
  });

  it('keeps the groups when the response has no groupOverrideDetails', () => {
    const tokens = draft();

    applyTokenOverrides('V2_0', { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { plan: 'pro' } } } }, tokens);

    expect(tokens.id['cognito:groups']).toEqual(['staff']);
    expect(tokens.access['cognito:groups']).toEqual(['staff']);
  });

  it.each([
    ['null', null],
    ['empty', {}],
  ])('removes groups and roles from both tokens for a %s groupOverrideDetails', (_name, groupOverrideDetails) => {
    const tokens = draft();

    applyTokenOverrides('V1_0', { claimsOverrideDetails: { groupOverrideDetails } }, tokens);

    expect(tokens.id).not.toHaveProperty('cognito:groups');
    expect(tokens.id).not.toHaveProperty('cognito:roles');
    expect(tokens.id).not.toHaveProperty('cognito:preferred_role');
    expect(tokens.access).not.toHaveProperty('cognito:groups');
  });

  it('replaces roles and the preferred role from the override', () => {
    const tokens = draft();

    applyTokenOverrides('V2_0', { claimsAndScopeOverrideDetails: { groupOverrideDetails: { groupsToOverride: ['ops'], iamRolesToOverride: ['arn:role/ops'], preferredRole: 'arn:role/ops' } } }, tokens);

    expect(tokens.id).toMatchObject({ 'cognito:groups': ['ops'], 'cognito:roles': ['arn:role/ops'], 'cognito:preferred_role': 'arn:role/ops' });
  });

  it('adds scopes once and suppresses what it is told to, also a scope it adds', () => {
    const tokens = draft();

    applyTokenOverrides(
      'V3_0',
      { claimsAndScopeOverrideDetails: { accessTokenGeneration: { scopesToAdd: ['a/read', 'a/read', 'aws.cognito.signin.user.admin', 'a/write'], scopesToSuppress: ['a/write'] } } },
      tokens,
    );

    expect(tokens.scopes).toEqual(['aws.cognito.signin.user.admin', 'a/read']);
  });

  it('leaves reserved and cognito: claims alone, in either token', () => {
    const tokens = draft();

    applyTokenOverrides(
      'V2_0',
      {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToAddOrOverride: { sub: 'forged', 'cognito:groups': ['admins'] }, claimsToSuppress: ['sub'] },
          accessTokenGeneration: { claimsToSuppress: ['username', 'cognito:groups'] },
        },
      },
      tokens,
    );

    expect(tokens).toEqual(draft());
  });

  it('ignores a response that is not an object, or is in the other version\'s shape', () => {
    const tokens = draft();

    applyTokenOverrides('V1_0', null, tokens);
    applyTokenOverrides('V1_0', { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToSuppress: ['email'] } } }, tokens);
    applyTokenOverrides('V2_0', { claimsOverrideDetails: { claimsToSuppress: ['email'] } }, tokens);

    expect(tokens).toEqual(draft());
  });
});
