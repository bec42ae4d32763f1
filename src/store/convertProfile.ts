import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { MAX_ITEM_BYTES } from '../constants.js';
import { InvalidProfileError, isInvalidProfileError } from '../errors.js';
import { byteLength, type ProfileAttributes, WHOLE_ITEM } from './profileItem.js';

/*
 * The conversion of a custom mapper's output (see profileMapper in mapping.ts): any value a
 * mapper may return, checked and converted in one walk. The default mapping, whose output is
 * strings and booleans, needs none of it (convertFlatProfile).
 */

/** DynamoDB nests 32 levels counting the top-level attribute: 31 maps or lists inside it. */
const MAX_NESTED_CONTAINERS = 31;
/** The smallest magnitude DynamoDB stores other than zero. */
const MIN_NUMBER_MAGNITUDE = 1e-130;

const CANNOT_STORE = ', which DynamoDB cannot store';

/**
 * Checks and converts a mapper's output in one walk, whose state (the trail naming the field
 * being read, the containers open on it, the item's size so far) the steps below share.
 *
 * The walk reads each property once and converts what it read: a getter or Proxy cannot show
 * one value to the check and another to the write. It guards cycles with the containers on
 * the current path, stops at DynamoDB's nesting depth and as soon as the item passes the size
 * limit (shared references cannot multiply the work), and only allocates for nested
 * containers. The values are those the SDK's `marshall` (with `removeUndefinedValues`) writes.
 * `skip` says which top-level fields are the library's to write.
 *
 * @internal
 */
export function convertProfile(profile: unknown, libraryBytes: number, skip: (field: string) => boolean): ProfileAttributes {
  /** Keys from the top-level field down to the value being read: names the field in errors. */
  const trail: Array<string | number> = [];
  /** The containers being converted, made at the first nested one (flat profiles need none). */
  let open: WeakSet<object> | undefined;
  /** DynamoDB's size of the item so far. */
  let bytes = libraryBytes;

  /*
   * DynamoDB's item size rules, rounded up: names and strings by UTF-8 length, numbers at
   * their 21-byte maximum, 3 bytes plus 1 per element for lists, maps and sets.
   */
  const count = (size: number): void => {
    bytes += size;
    if (bytes > MAX_ITEM_BYTES) {
      throw new InvalidProfileError(WHOLE_ITEM, `is over ${bytes} bytes, past DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`);
    }
  };
  const refuse = (problem: string) => new InvalidProfileError(pathOf(trail), problem);

  /** Refuses a number DynamoDB cannot hold as it is; `lead` starts the sentence. */
  function checkNumber(value: number, lead: string): void {
    const magnitude = Math.abs(value);
    let problem: string | undefined;
    if (!Number.isFinite(value)) problem = 'is not a finite number';
    // Larger integers lose digits in JavaScript before DynamoDB ever sees them.
    else if (magnitude > Number.MAX_SAFE_INTEGER) problem = 'is an integer beyond Number.MAX_SAFE_INTEGER: store it as a string';
    else if (magnitude < MIN_NUMBER_MAGNITUDE && magnitude !== 0) problem = "is closer to zero than DynamoDB's smallest number, 1e-130";
    if (problem) throw refuse(lead + problem);
  }

  function toAttribute(value: unknown): AttributeValue | undefined {
    switch (typeof value) {
      case 'string':
        count(byteLength(value));
        return { S: value };
      case 'boolean':
        count(1);
        return { BOOL: value };
      case 'number':
        checkNumber(value, '');
        count(21);
        return { N: String(value) };
      case 'undefined':
        return undefined;
      case 'object':
        if (value !== null) return toContainer(value);
        count(1);
        return { NULL: true };
      default:
        throw refuse(`has a ${typeof value}${CANNOT_STORE}`);
    }
  }

  function toContainer(value: object): AttributeValue {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Set.prototype) return toSet(value as Set<unknown>);
    if (proto === Uint8Array.prototype || proto === Buffer.prototype) {
      // A fresh Uint8Array: read through its own slots, it has no getter a write could trip on.
      const binary = new Uint8Array(value as Uint8Array);
      count(binary.byteLength);
      return { B: binary };
    }
    const isList = Array.isArray(value);
    if (!isList && !isPlainPrototype(proto)) {
      throw refuse(value instanceof Date ? 'is a Date: store date.toISOString() instead' : 'is a class instance: store a plain object');
    }
    if (trail.length > MAX_NESTED_CONTAINERS) throw refuse("is nested deeper than DynamoDB's 32 levels");
    open ??= new WeakSet([profile as object]);
    if (open.has(value)) throw refuse(`contains itself (a cycle)${CANNOT_STORE}`);
    open.add(value);
    count(3);
    const attribute = isList ? { L: toList(value as unknown[]) } : { M: toMap(value as Record<string, unknown>) };
    open.delete(value);
    return attribute;
  }

  function toList(list: readonly unknown[]): AttributeValue[] {
    const converted: AttributeValue[] = [];
    const { length } = list;
    for (let index = 0; index < length; index += 1) {
      // Counted even when dropped, so that a huge sparse list still ends the walk.
      count(1);
      trail.push(index);
      const element = toAttribute(list[index]);
      trail.pop();
      // As the SDK's marshaller with removeUndefinedValues: undefined elements are dropped.
      if (element) converted.push(element);
    }
    return converted;
  }

  function toMap(map: Record<string, unknown>, skipField?: (key: string) => boolean): ProfileAttributes {
    const converted: ProfileAttributes = {};
    for (const key of Object.keys(map)) {
      if (skipField?.(key)) continue;
      trail.push(key);
      // `__proto__` cannot be a key of the object a row is read back into (the SDK's
      // unmarshall would set the object's prototype instead).
      if (key === '__proto__') throw refuse('is named __proto__, which JavaScript cannot read back');
      const attribute = toAttribute(map[key]);
      trail.pop();
      if (attribute) {
        converted[key] = attribute;
        count(1 + byteLength(key));
      }
    }
    return converted;
  }

  function toSet(set: Set<unknown>): AttributeValue {
    const elements: string[] = [];
    let kind: string | undefined;
    count(3);
    // The intrinsic iterator reads the Set's own slots: a Proxy of a Set throws here.
    for (const element of Set.prototype.values.call(set)) {
      kind ??= typeof element;
      if (typeof element !== kind || (kind !== 'string' && kind !== 'number')) {
        throw refuse('must be a Set of only strings or only numbers');
      }
      if (typeof element === 'number') checkNumber(element, 'holds a number that ');
      const text = String(element);
      elements.push(text);
      count(1 + (kind === 'string' ? byteLength(text) : 21));
    }
    if (kind === undefined) throw refuse(`is an empty Set${CANNOT_STORE}`);
    return kind === 'string' ? { SS: elements } : { NS: elements };
  }

  try {
    if (!isPlainObject(profile)) throw new InvalidProfileError(WHOLE_ITEM, 'mapAttributes must return a plain object');
    return toMap(profile, skip);
  } catch (error) {
    // By brand and name: `skip` throws the handler's class, which may be another copy's.
    if (isInvalidProfileError(error)) throw error;
    // A getter, a Proxy trap or a revoked Proxy threw while the walk read the value.
    throw new InvalidProfileError(pathOf(trail), 'threw when read (a getter or a Proxy)', { cause: error });
  }
}

/** `address.lines[0]` for the trail `['address', 'lines', 0]`; `profile` for the whole item. */
function pathOf(trail: ReadonlyArray<string | number>): string {
  let path = '';
  for (const key of trail) path += typeof key === 'number' ? `[${key}]` : path === '' ? key : `.${key}`;
  return path || WHOLE_ITEM;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && isPlainPrototype(Object.getPrototypeOf(value));
}

/** A plain object's prototype: `Object.prototype`, or none (`Object.create(null)`). */
function isPlainPrototype(proto: unknown): boolean {
  return proto === Object.prototype || proto === null;
}
