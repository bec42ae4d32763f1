import { InvalidEventError } from './errors.js';
import type { TriggerUser, UserAttributes } from './types.js';

/**
 * A value's kind for an error message (`null`, `undefined`, `an array`, `an object`, `a string`,
 * ...); never the value itself, which may be personal data.
 *
 * @internal
 */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  if (type === 'undefined') return type;
  // `object` is the only other type that starts with a vowel.
  return type === 'object' ? 'an object' : `a ${type}`;
}

type Fields = Record<string, unknown>;

/** The path of the user's attributes in a trigger event, as a prefix of their keys' paths. */
const ATTRIBUTES = 'request.userAttributes.';

/**
 * `parent[key]` when it has the type the event must give it (`object`: a plain record).
 * Errors name the field by its path: `at`, the parent's path, then the key.
 */
function field<T>(parent: Fields, key: string, type: 'string' | 'object', at = ''): T {
  const value = parent[key];
  if (typeof value !== type || value === null || Array.isArray(value)) {
    throw new InvalidEventError(at + key, `must be ${type === 'object' ? 'an object' : 'a string'}, got ${kindOf(value)}`);
  }
  return value as T;
}

/**
 * Checks the fields of a trigger event the library relies on and returns them. Anything
 * else in the event (version, region, callerContext) is left alone: emulators and Cognito
 * differ there and the sync does not need it.
 *
 * @internal
 */
export function readTriggerUser(event: unknown, sourcePrefix = 'PostConfirmation_'): TriggerUser {
  // The event itself is checked as a field too, so that its error names `event`.
  const fields = field<Fields>({ event }, 'event', 'object');
  const triggerSource = field<string>(fields, 'triggerSource', 'string');
  if (!triggerSource.startsWith(sourcePrefix)) {
    throw new InvalidEventError('triggerSource', `must start with "${sourcePrefix}", got "${triggerSource.slice(0, 64)}"`);
  }
  const userPoolId = field<string>(fields, 'userPoolId', 'string');
  const userName = field<string>(fields, 'userName', 'string');
  const request = field<Fields>(fields, 'request', 'object');
  const attributes = field<UserAttributes>(request, 'userAttributes', 'object', 'request.');
  for (const name of Object.keys(attributes)) field(attributes, name, 'string', ATTRIBUTES);
  const sub = field<string>(attributes, 'sub', 'string', ATTRIBUTES);
  if (sub === '') throw new InvalidEventError(`${ATTRIBUTES}sub`, 'must not be empty');
  return { sub, userName, userPoolId, triggerSource, attributes };
}
