import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CognitoUser } from '../cognitoUsers.js';
import { LIBRARY_FIELDS, MAX_ITEM_BYTES } from '../constants.js';
import { adopted, InvalidProfileError } from '../errors.js';
import type { AttributeMapper, MappingContext, TriggerUser } from '../types.js';

/** A profile row as DynamoDB attribute values, ready to write. @internal */
export type ProfileAttributes = Record<string, AttributeValue>;

/**
 * Where a mapper keeps the conversion of its output to attribute values. A registered
 * symbol, so a mapper made by the ESM build works in a handler of the CommonJS build; its
 * version changes with {@link ProfileConversion}, so that another version's mapper is not
 * taken for one (the root entry wraps it again).
 *
 * @internal
 */
export const profileConversion: unique symbol = Symbol.for('cognito-profile-sync.profileConversion.v1') as never;

/**
 * Converts a mapper's output: `libraryBytes` is the size of what the library adds, `skip`
 * says which top-level fields are the library's to write. @internal
 */
export type ProfileConversion = (profile: unknown, libraryBytes: number, skip: (field: string) => boolean) => ProfileAttributes;

/**
 * An {@link AttributeMapper} that carries the conversion of its output, so that a handler
 * bundles only the conversion its mapper needs: `defaultProfile`'s strings and booleans need
 * little, a custom mapper's output the full check ({@link profileMapper}). The mapping
 * helpers of `cognito-profile-sync/mapping` return these. Still a function: calling it maps.
 */
export interface ProfileMapper extends AttributeMapper {
  /** @internal */
  readonly [profileConversion]: ProfileConversion;
}

/** Whether a value is a {@link ProfileMapper}. @internal */
export function isProfileMapper(value: unknown): value is ProfileMapper {
  try {
    return typeof value === 'function' && typeof (value as Partial<ProfileMapper>)[profileConversion] === 'function';
  } catch {
    return false; // a Proxy that throws on reads is no mapper
  }
}

/** A mapper function with its conversion. @internal */
export function withConversion(mapper: AttributeMapper, conversion: ProfileConversion): ProfileMapper {
  return Object.assign((attributes: Parameters<AttributeMapper>[0], context: MappingContext) => mapper(attributes, context), {
    [profileConversion]: conversion,
  });
}

/** The field an error names when it is about the whole item. @internal */
export const WHOLE_ITEM = 'profile';
/** Room for the welcome claim attributes written alongside the profile. */
const CLAIM_HEADROOM_BYTES = 128;

/**
 * Maps the user's attributes to a profile row as DynamoDB attribute values, then forces what
 * a mapper may not change: the partition key is the user's `sub`, `createdAt` is this sync's
 * time, and the welcome bookkeeping attributes are the library's. The mapper's own
 * conversion checks and converts its output, so a bad mapper fails here with the field
 * named rather than in the SDK with a bare error, and what is written is what was checked.
 *
 * @internal
 */
export function buildProfileAttributes(
  user: TriggerUser,
  mapper: ProfileMapper,
  context: MappingContext,
  partitionKey: string,
): ProfileAttributes {
  let mapped: unknown;
  try {
    mapped = mapper(user.attributes, context);
  } catch (cause) {
    throw new InvalidProfileError(WHOLE_ITEM, 'could not be mapped: mapAttributes threw', { cause });
  }
  // The key, createdAt and the claim are counted from the start: they are always written.
  const libraryBytes = 2 + byteLength(partitionKey + user.sub + 'createdAt' + context.now) + CLAIM_HEADROOM_BYTES;
  let item: ProfileAttributes;
  try {
    item = mapper[profileConversion](mapped, libraryBytes, (field) => {
      if (field === '') throw new InvalidProfileError(WHOLE_ITEM, 'has an empty field name');
      // The key and createdAt are overwritten and the welcome attributes are the library's.
      return field === partitionKey || LIBRARY_FIELDS.has(field);
    });
  } catch (error) {
    throw adopted(error); // a mapper of another copy of the package refuses with that copy's class
  }
  item[partitionKey] = { S: user.sub };
  item.createdAt = { S: context.now };
  return item;
}

/**
 * {@link buildProfileAttributes} for a user read from Cognito outside a trigger (admin
 * changes, reconcile): the mapper gets the same facts it gets in a trigger, under
 * `triggerSource`.
 *
 * @internal
 */
export function buildProfileAttributesForCognitoUser(
  user: CognitoUser,
  sub: string,
  facts: { userPoolId: string; triggerSource: string; now: string },
  mapper: ProfileMapper,
  partitionKey: string,
): ProfileAttributes {
  const confirmed: TriggerUser = {
    sub,
    userName: user.username,
    userPoolId: facts.userPoolId,
    triggerSource: facts.triggerSource,
    attributes: user.attributes,
  };
  return buildProfileAttributes(confirmed, mapper, { ...confirmed, now: facts.now }, partitionKey);
}

/**
 * The conversion of `defaultProfile`'s output: top-level strings and booleans (from
 * attributes Cognito sends as strings), sized by DynamoDB's rules as the full check sizes
 * them. Anything else is refused, naming the field.
 *
 * @internal
 */
export function convertFlatProfile(profile: unknown, libraryBytes: number, skip: (field: string) => boolean): ProfileAttributes {
  const item: ProfileAttributes = {};
  let bytes = libraryBytes;
  for (const [field, value] of Object.entries(profile as Record<string, unknown>)) {
    if (value === undefined || skip(field)) continue;
    if (typeof value === 'string') item[field] = { S: value };
    else if (typeof value === 'boolean') item[field] = { BOOL: value };
    else throw new InvalidProfileError(field, 'must be a string or a boolean here: make the mapper with profileMapper(fn)');
    bytes += 1 + byteLength(field) + (typeof value === 'string' ? byteLength(value) : 1);
  }
  if (bytes > MAX_ITEM_BYTES) throw new InvalidProfileError(WHOLE_ITEM, `is over ${bytes} bytes, past DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`);
  return item;
}

/** UTF-8, `Buffer.byteLength`'s encoding for a string. @internal */
export function byteLength(text: string): number {
  return Buffer.byteLength(text);
}
