import { describe, expect, it } from 'vitest';
import { combineMappers, customAttributes, defaultProfile, pickFields, renameFields, type MappingContext } from '../../src/index.js';

const context: MappingContext = {
  sub: 'sub-1',
  userName: 'ana',
  userPoolId: 'us-east-1_Pool',
  triggerSource: 'PostConfirmation_ConfirmSignUp',
  now: '2026-01-02T03:04:05.000Z',
};

describe('defaultProfile', () => {
  it('leaves out attributes that are not present', () => {
    expect(defaultProfile({ sub: 'sub-1' }, context)).toEqual({
      username: 'ana',
      userPoolId: 'us-east-1_Pool',
      createdAt: context.now,
      updatedAt: context.now,
    });
  });

  it.each([
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['maybe', undefined],
  ])('types email_verified "%s" as %s', (value, expected) => {
    expect(defaultProfile({ sub: 's', email_verified: value }, context).emailVerified).toBe(expected);
  });

  it('types phone_number_verified too, and leaves out a verified flag that is not a boolean', () => {
    const profile = defaultProfile({ sub: 's', email: 'a@example.com', email_verified: 'maybe', phone_number: '+15550100', phone_number_verified: 'False' }, context);

    expect(profile).toEqual({ username: 'ana', email: 'a@example.com', phoneNumber: '+15550100', phoneNumberVerified: false, userPoolId: 'us-east-1_Pool', createdAt: context.now, updatedAt: context.now });
    expect(Object.keys(profile)).toEqual(['username', 'email', 'phoneNumber', 'phoneNumberVerified', 'userPoolId', 'createdAt', 'updatedAt']);
  });
});

describe('mapper helpers', () => {
  const attributes = { sub: 's', email: 'a@example.com', given_name: 'Ana', 'custom:firstName': 'Ana', 'custom:plan': 'pro' };

  it('customAttributes drops the custom: prefix and keeps only custom attributes', () => {
    expect(customAttributes(attributes, context)).toEqual({ firstName: 'Ana', plan: 'pro' });
  });

  it('combineMappers merges outputs, later ones winning', () => {
    const mapper = combineMappers(defaultProfile, customAttributes, () => ({ plan: 'free', email: 'override@example.com' }));

    expect(mapper(attributes, context)).toMatchObject({ email: 'override@example.com', firstName: 'Ana', plan: 'free', givenName: 'Ana' });
  });

  it('pickFields keeps only the named fields', () => {
    expect(pickFields(defaultProfile, ['email', 'missing'])(attributes, context)).toEqual({ email: 'a@example.com' });
  });

  it('renameFields renames only the listed fields', () => {
    const mapped = renameFields(pickFields(defaultProfile, ['givenName', 'email']), { givenName: 'firstName' })(attributes, context);

    expect(mapped).toEqual({ firstName: 'Ana', email: 'a@example.com' });
  });

  it('renameFields ignores inherited names such as toString', () => {
    const mapped = renameFields(() => ({ toString: 'x', constructor: 'y' }), {})(attributes, context);

    expect(mapped).toEqual({ toString: 'x', constructor: 'y' });
  });
});
