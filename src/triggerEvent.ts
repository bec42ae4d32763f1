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

/** Where the user's attributes are in a trigger event. */
const ATTRIBUTES = 'request.userAttributes';

/** The field's value when it has the type the event must give it (`object`: a plain record). */
function field<T>(value: unknown, path: string, type: 'string' | 'object'): T {
  if (typeof value !== type || value === null || Array.isArray(value)) {
    throw new InvalidEventError(path, `must be ${type === 'object' ? 'an object' : 'a string'}, got ${kindOf(value)}`);
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
  const fields = field<Record<string, unknown>>(event, 'event', 'object');
  const triggerSource = field<string>(fields.triggerSource, 'triggerSource', 'string');
  if (!triggerSource.startsWith(sourcePrefix)) {
    throw new InvalidEventError('triggerSource', `must start with "${sourcePrefix}", got "${triggerSource.slice(0, 64)}"`);
  }
  const userPoolId = field<string>(fields.userPoolId, 'userPoolId', 'string');
  const userName = field<string>(fields.userName, 'userName', 'string');
  const request = field<Record<string, unknown>>(fields.request, 'request', 'object');
  const attributes = field<UserAttributes>(request.userAttributes, ATTRIBUTES, 'object');
  for (const name of Object.keys(attributes)) field(attributes[name], `${ATTRIBUTES}.${name}`, 'string');
  const subPath = `${ATTRIBUTES}.sub`;
  const sub = field<string>(attributes.sub, subPath, 'string');
  if (sub === '') throw new InvalidEventError(subPath, 'must not be empty');
  return { sub, userName, userPoolId, triggerSource, attributes };
}
