import { ConfigurationError } from './errors.js';
import { convertProfile } from './store/convertProfile.js';
import { convertFlatProfile, isProfileMapper, type ProfileMapper, withConversion } from './store/profileItem.js';
import type { AttributeMapper, MappingContext, Profile, UserAttributes } from './types.js';

const CUSTOM_PREFIX = 'custom:';

/** Standard attributes copied when present, under camelCase names. */
const STANDARD_FIELDS: ReadonlyArray<readonly [attribute: string, field: string]> = [
  ['email', 'email'],
  ['phone_number', 'phoneNumber'],
  ['name', 'name'],
  ['given_name', 'givenName'],
  ['family_name', 'familyName'],
];

/** Cognito's boolean attributes, sent as the strings "true" and "false"; other values are left out. */
const VERIFIED_FIELDS: ReadonlyArray<readonly [attribute: string, field: string]> = [
  ['email_verified', 'emailVerified'],
  ['phone_number_verified', 'phoneNumberVerified'],
];

/**
 * The default profile: `username`, `email`, `emailVerified`, `phoneNumber`,
 * `phoneNumberVerified`, `name`, `givenName`, `familyName` (each only when present),
 * `userPoolId`, `createdAt` and `updatedAt`. The partition key (`sub`) is added by the
 * library under the table's key name.
 *
 * @example
 * ```ts
 * createPostConfirmationHandler({
 *   table: 'profiles',
 *   mapAttributes: (attributes, context) => ({ ...defaultProfile(attributes, context), plan: 'free' }),
 * });
 * ```
 */
export const defaultProfile: ProfileMapper = /* @__PURE__ */ withConversion((attributes, context) => {
  const profile: Profile = { username: context.userName };
  for (const [attribute, field] of STANDARD_FIELDS) {
    const value = attributes[attribute];
    if (value !== undefined) profile[field] = value;
  }
  for (const [attribute, field] of VERIFIED_FIELDS) {
    const verified = attributes[attribute]?.toLowerCase();
    if (verified === 'true' || verified === 'false') profile[field] = verified === 'true';
  }
  profile.userPoolId = context.userPoolId;
  profile.createdAt = context.now;
  profile.updatedAt = context.now;
  return profile;
}, convertFlatProfile);

/**
 * Makes a function a {@link ProfileMapper}, whose output (any value DynamoDB can store: maps,
 * lists, numbers, Sets, binary) is checked and converted in one walk, naming the field when
 * something cannot be stored. Every handler does this itself for a bare `mapAttributes`
 * function but the one of `cognito-profile-sync/post-confirmation`, which takes only mappers,
 * so that a handler with the default mapping bundles none of the walk. The helpers below
 * return mappers already.
 *
 * @example
 * ```ts
 * import { createPostConfirmationHandler } from 'cognito-profile-sync/post-confirmation';
 * import { defaultProfile, profileMapper } from 'cognito-profile-sync/mapping';
 *
 * export const handler = createPostConfirmationHandler({
 *   table: process.env.DDB_TABLE!,
 *   mapAttributes: profileMapper((attributes, context) => ({ ...defaultProfile(attributes, context), plan: 'free' })),
 * });
 * ```
 */
export function profileMapper(mapper: AttributeMapper): ProfileMapper {
  if (isProfileMapper(mapper)) return mapper;
  if (typeof mapper !== 'function') throw new ConfigurationError('profileMapper', 'needs a function (attributes, context) => profile');
  return withConversion(mapper, convertProfile);
}

/**
 * Every `custom:` attribute, without its prefix (`custom:firstName` becomes `firstName`).
 *
 * @example
 * ```ts
 * mapAttributes: combineMappers(defaultProfile, customAttributes)
 * ```
 */
export const customAttributes: ProfileMapper = /* @__PURE__ */ profileMapper((attributes: UserAttributes) => {
  const profile: Profile = {};
  for (const [attribute, value] of Object.entries(attributes)) {
    if (attribute.startsWith(CUSTOM_PREFIX) && attribute.length > CUSTOM_PREFIX.length) {
      profile[attribute.slice(CUSTOM_PREFIX.length)] = value;
    }
  }
  return profile;
});

/**
 * One mapper made of several: each runs on the same attributes and later outputs override
 * earlier ones, field by field.
 *
 * @example
 * ```ts
 * mapAttributes: combineMappers(defaultProfile, customAttributes, () => ({ plan: 'free' }))
 * ```
 */
export function combineMappers(...mappers: AttributeMapper[]): ProfileMapper {
  return profileMapper((attributes, context) => {
    const profile: Profile = {};
    for (const mapper of mappers) Object.assign(profile, mapper(attributes, context));
    return profile;
  });
}

/**
 * Keeps only the named fields of a mapper's output (the key and timestamps the library
 * sets are kept regardless).
 *
 * @example
 * ```ts
 * mapAttributes: pickFields(defaultProfile, ['email', 'emailVerified'])
 * ```
 */
export function pickFields(mapper: AttributeMapper, fields: readonly string[]): ProfileMapper {
  const wanted = new Set(fields);
  return profileMapper((attributes, context) => {
    const profile: Profile = {};
    for (const [field, value] of Object.entries(mapper(attributes, context))) {
      if (wanted.has(field)) profile[field] = value;
    }
    return profile;
  });
}

/**
 * Renames fields of a mapper's output (`{ givenName: 'firstName' }`); others pass through.
 *
 * @example
 * ```ts
 * mapAttributes: renameFields(defaultProfile, { givenName: 'firstName', familyName: 'lastName' })
 * ```
 */
export function renameFields(mapper: AttributeMapper, renames: Readonly<Record<string, string>>): ProfileMapper {
  return profileMapper((attributes, context) => {
    const profile: Profile = {};
    for (const [field, value] of Object.entries(mapper(attributes, context))) {
      profile[Object.hasOwn(renames, field) ? (renames[field] as string) : field] = value;
    }
    return profile;
  });
}

