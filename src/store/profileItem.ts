import type { CognitoUser } from '../cognitoUsers.js';
import { MAX_ITEM_BYTES, WelcomeAttribute } from '../constants.js';
import { InvalidProfileError } from '../errors.js';
import type { AttributeMapper, MappingContext, Profile, TriggerUser } from '../types.js';

const RESERVED_FIELDS: ReadonlySet<string> = new Set(Object.values(WelcomeAttribute));

/**
 * Maps the user's attributes to a profile row, then forces what a mapper may not change:
 * the partition key is the user's `sub`, `createdAt` is this sync's time, and the welcome
 * bookkeeping attributes are the library's. Every value is checked to be storable and the
 * whole item to fit DynamoDB's 400 KB limit, so a bad mapper fails here with the field
 * named rather than in the SDK with a bare error.
 *
 * @internal
 */
export function buildProfileItem(
  user: TriggerUser,
  mapper: AttributeMapper,
  context: MappingContext,
  partitionKey: string,
): Profile {
  let mapped: unknown;
  try {
    mapped = mapper(user.attributes, context);
  } catch (cause) {
    throw new InvalidProfileError('profile', 'could not be mapped: mapAttributes threw', { cause });
  }
  if (!isPlainObject(mapped)) {
    throw new InvalidProfileError('profile', 'mapAttributes must return a plain object');
  }
  const item: Profile = {};
  for (const [field, value] of Object.entries(mapped)) {
    if (value === undefined || RESERVED_FIELDS.has(field)) continue;
    if (field.length === 0) throw new InvalidProfileError('profile', 'has an empty field name');
    checkStorable(value, field);
    item[field] = value;
  }
  item[partitionKey] = user.sub;
  item.createdAt = context.now;
  checkSize(item);
  return item;
}

/**
 * {@link buildProfileItem} for a user read from Cognito outside a trigger (admin changes,
 * reconcile): the mapper gets the same facts it gets in a trigger, under `triggerSource`.
 *
 * @internal
 */
export function buildProfileItemForCognitoUser(
  user: CognitoUser,
  sub: string,
  facts: { userPoolId: string; triggerSource: string; now: string },
  mapper: AttributeMapper,
  partitionKey: string,
): Profile {
  const confirmed: TriggerUser = {
    sub,
    userName: user.username,
    userPoolId: facts.userPoolId,
    triggerSource: facts.triggerSource,
    attributes: user.attributes,
  };
  return buildProfileItem(confirmed, mapper, { ...confirmed, now: facts.now }, partitionKey);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws for values the DynamoDB marshaller would reject or silently mangle. */
function checkStorable(value: unknown, path: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidProfileError(path, 'must be a finite number');
      // Larger integers lose digits in JavaScript before DynamoDB ever sees them.
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new InvalidProfileError(path, 'is an integer beyond Number.MAX_SAFE_INTEGER: store it as a string');
      }
      return;
    case 'undefined':
      return;
    case 'object':
      break;
    default:
      throw new InvalidProfileError(path, `has a ${typeof value}, which DynamoDB cannot store`);
  }
  if (value === null || value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    value.forEach((element, index) => checkStorable(element, `${path}[${index}]`));
    return;
  }
  if (value instanceof Set) {
    const kinds = new Set([...value].map((element) => typeof element));
    if (value.size === 0) throw new InvalidProfileError(path, 'is an empty Set, which DynamoDB cannot store');
    if (kinds.size !== 1 || !(kinds.has('string') || kinds.has('number'))) {
      throw new InvalidProfileError(path, 'must be a Set of only strings or only numbers');
    }
    return;
  }
  if (value instanceof Date) throw new InvalidProfileError(path, 'is a Date: store date.toISOString() instead');
  if (!isPlainObject(value)) throw new InvalidProfileError(path, 'is a class instance: store a plain object');
  for (const [key, nested] of Object.entries(value)) checkStorable(nested, `${path}.${key}`);
}

/**
 * DynamoDB's item size rules, rounded up: names and strings by UTF-8 length, numbers at
 * their 21-byte maximum, 3 bytes plus 1 per element for lists and maps.
 */
function sizeOf(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 21;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value) || value instanceof Set) {
    let total = 3;
    for (const element of value) total += 1 + sizeOf(element);
    return total;
  }
  let total = 3;
  for (const [key, nested] of Object.entries(value as Record<string, unknown>)) {
    total += 1 + Buffer.byteLength(key, 'utf8') + sizeOf(nested);
  }
  return total;
}

function checkSize(item: Profile): void {
  // Headroom for the welcome claim attributes written alongside the profile.
  const bytes = sizeOf(item) - 3 + 128;
  if (bytes > MAX_ITEM_BYTES) {
    throw new InvalidProfileError('profile', `is about ${bytes} bytes, over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`);
  }
}
