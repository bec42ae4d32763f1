import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPostConfirmationHandler as createStepHandler } from '../../src/entries/postConfirmation.js';
import {
  combineMappers,
  customAttributes,
  defaultProfile,
  InvalidProfileError,
  pickFields,
  profileMapper,
  renameFields,
  type AttributeMapper,
  type ProfileMapper,
} from '../../src/index.js';
import { buildProfileAttributes, convertFlatProfile } from '../../src/store/profileItem.js';
import type { TriggerUser } from '../../src/types.js';

/*
 * A mapper carries the conversion of its output: `defaultProfile` the short one for strings
 * and booleans, `profileMapper(fn)` and the helpers the full check. The per-handler entry
 * point takes only mappers, so that a handler with the default mapping bundles none of the
 * full check; the two conversions must write the same row for the default mapping's output.
 */
const SUB = '5b1f3e7a-9c2d-4e8f-a1b2-c3d4e5f6a7b8';
const NOW = '2026-11-30T12:00:00.000Z';

function user(attributes: Record<string, string>): TriggerUser {
  return { sub: SUB, userName: 'ada', userPoolId: 'eu-west-1_Pool123', triggerSource: 'PostConfirmation_ConfirmSignUp', attributes: { sub: SUB, ...attributes } };
}
const build = (attributes: Record<string, string>, mapper: ProfileMapper, partitionKey = 'userId') => {
  const trigger = user(attributes);
  return buildProfileAttributes(trigger, mapper, { ...trigger, now: NOW }, partitionKey);
};
/** The default mapping, as a custom mapper: converted by the full check. */
const fullyChecked = profileMapper((attributes, context) => defaultProfile(attributes, context));

describe('the per-handler entry point takes mappers only', () => {
  it('refuses a bare function at cold start, naming mapAttributes and the ways to make a mapper', () => {
    const create = () => createStepHandler({ table: 'profiles', mapAttributes: (() => ({})) as unknown as ProfileMapper });

    expect(create).toThrow(expect.objectContaining({ name: 'ConfigurationError', option: 'mapAttributes' }));
    expect(create).toThrow(/profileMapper\(fn\) or a helper of cognito-profile-sync\/mapping/);
  });

  it('refuses a Proxy that throws on every read with a ConfigurationError, not a TypeError', () => {
    const hostile = new Proxy(() => ({}), {
      get() {
        throw new TypeError('no reads here');
      },
    });

    expect(() => createStepHandler({ table: 'profiles', mapAttributes: hostile as unknown as ProfileMapper })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', option: 'mapAttributes' }),
    );
  });

  it('takes defaultProfile, profileMapper(fn) and every helper', () => {
    const mappers: ProfileMapper[] = [
      defaultProfile,
      customAttributes,
      profileMapper(() => ({ plan: 'free' })),
      combineMappers(defaultProfile, customAttributes),
      pickFields(defaultProfile, ['email']),
      renameFields(defaultProfile, { givenName: 'firstName' }),
    ];

    for (const mapAttributes of mappers) expect(() => createStepHandler({ table: 'profiles', mapAttributes })).not.toThrow();
  });
});

describe('profileMapper', () => {
  it('refuses what is not a function, naming itself', () => {
    expect(() => profileMapper({} as AttributeMapper)).toThrow(expect.objectContaining({ name: 'ConfigurationError', option: 'profileMapper' }));
  });

  it('returns a mapper as it is, and a mapper still maps when called', () => {
    const mapper = profileMapper((attributes) => ({ email: attributes.email }));

    expect(profileMapper(mapper)).toBe(mapper);
    expect(mapper({ sub: SUB, email: 'ada@example.com' }, { ...user({}), now: NOW })).toEqual({ email: 'ada@example.com' });
  });

  it("runs the full check on the mapper's output, naming the field", () => {
    const mapper = profileMapper(() => ({ score: Number.NaN }));

    expect(() => build({}, mapper)).toThrow(InvalidProfileError);
    expect(() => build({}, mapper)).toThrow(expect.objectContaining({ field: 'score' }));
  });
});

describe("the default mapping's short conversion", () => {
  const attribute = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', 'true', 'false', 'TRUE', 'False', 'yes'));
  const attributes = fc.record(
    {
      email: attribute,
      email_verified: attribute,
      phone_number: attribute,
      phone_number_verified: attribute,
      name: attribute,
      given_name: attribute,
      family_name: attribute,
      'custom:plan': attribute,
    },
    { requiredKeys: [] },
  );
  const partitionKey = fc.constantFrom('userId', 'id', 'username', 'email', 'givenName', 'updatedAt');

  it('writes exactly the row the full check writes, for any attributes and any key name', () => {
    fc.assert(
      fc.property(attributes, partitionKey, (given, key) => {
        expect(build(given as Record<string, string>, defaultProfile, key)).toEqual(build(given as Record<string, string>, fullyChecked, key));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an item past the 400 KB limit, as the full check does', () => {
    const huge = { name: 'x'.repeat(200 * 1024), family_name: 'y'.repeat(200 * 1024) };

    for (const mapper of [defaultProfile, fullyChecked]) {
      expect(() => build(huge, mapper)).toThrow(expect.objectContaining({ name: 'InvalidProfileError', field: 'profile' }));
      expect(() => build(huge, mapper)).toThrow(/is over \d+ bytes, past DynamoDB's 409600-byte item limit/);
    }
    // Just under the limit, both write it.
    const fits = { name: 'x'.repeat(200 * 1024), family_name: 'y'.repeat(190 * 1024) };
    expect(build(fits, defaultProfile)).toEqual(build(fits, fullyChecked));
  });

  it('refuses anything but a string or a boolean, naming the field', () => {
    expect(() => convertFlatProfile({ email: 'a@example.com', score: 3 }, 0, () => false)).toThrow(
      expect.objectContaining({ name: 'InvalidProfileError', field: 'score' }),
    );
  });
});
