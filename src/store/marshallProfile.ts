import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToAttr } from '@aws-sdk/util-dynamodb';
import type { Profile } from '../types.js';
import { marshallOptions } from './send.js';

/**
 * The DynamoDB attribute values of a profile, for the store's writes: what the SDK's
 * `marshall(profile, { removeUndefinedValues: true })` writes, for the plain data
 * `buildProfileItem` makes. Unlike the SDK's, it tells a map by its prototype, never
 * by `value.constructor` (which a field named `constructor` shadows, so that `marshall`
 * throws), and writes a `__proto__` key as a key. Anything else goes to the SDK's converter.
 *
 * @internal
 */
export function marshallProfile(profile: Profile): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const key of Object.keys(profile)) {
    const value = profile[key];
    if (value === undefined || typeof value === 'function') continue;
    const attribute = toAttributeValue(value);
    if (key === '__proto__') Object.defineProperty(attributes, key, { value: attribute, enumerable: true, writable: true, configurable: true });
    else attributes[key] = attribute;
  }
  return attributes;
}

function toAttributeValue(value: unknown): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      if (Number.isFinite(value)) return { N: String(value) };
      break;
    case 'boolean':
      return { BOOL: value };
  }
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) {
    const list: AttributeValue[] = [];
    for (const element of value) {
      if (element !== undefined && typeof element !== 'function') list.push(toAttributeValue(element));
    }
    return { L: list };
  }
  const proto: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) return { M: marshallProfile(value as Profile) };
  if (proto === Set.prototype && (value as Set<unknown>).size > 0) {
    const elements = [...(value as Set<unknown>)];
    if (elements.every((element) => typeof element === 'string')) return { SS: elements as string[] };
    if (elements.every((element) => typeof element === 'number' && Number.isFinite(element))) return { NS: elements.map(String) };
  }
  if (value instanceof Uint8Array) return { B: value };
  return convertToAttr(value as never, marshallOptions);
}
