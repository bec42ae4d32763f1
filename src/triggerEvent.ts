import { InvalidEventError } from './errors.js';
import type { TriggerUser, UserAttributes } from './types.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidEventError(field, `must be a string, got ${kindOf(value)}`);
  return value;
}

/** A value's kind for an error message; never the value itself, which may be personal data. @internal */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * Checks the fields of a trigger event the library relies on and returns them. Anything
 * else in the event (version, region, callerContext) is left alone: emulators and Cognito
 * differ there and the sync does not need it.
 *
 * @internal
 */
export function readTriggerUser(event: unknown, sourcePrefix = 'PostConfirmation_'): TriggerUser {
  if (!isRecord(event)) throw new InvalidEventError('event', `must be an object, got ${kindOf(event)}`);
  const triggerSource = requireString(event.triggerSource, 'triggerSource');
  if (!triggerSource.startsWith(sourcePrefix)) {
    throw new InvalidEventError('triggerSource', `must start with "${sourcePrefix}", got "${triggerSource.slice(0, 64)}"`);
  }
  const userPoolId = requireString(event.userPoolId, 'userPoolId');
  const userName = requireString(event.userName, 'userName');
  if (!isRecord(event.request)) {
    throw new InvalidEventError('request', `must be an object, got ${kindOf(event.request)}`);
  }
  const attributes = event.request.userAttributes;
  if (!isRecord(attributes)) {
    throw new InvalidEventError('request.userAttributes', `must be an object, got ${kindOf(attributes)}`);
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'string') {
      throw new InvalidEventError(`request.userAttributes.${name}`, `must be a string, got ${kindOf(value)}`);
    }
  }
  const sub = requireString(attributes.sub, 'request.userAttributes.sub');
  if (sub.length === 0) throw new InvalidEventError('request.userAttributes.sub', 'must not be empty');
  return { sub, userName, userPoolId, triggerSource, attributes: attributes as UserAttributes };
}
