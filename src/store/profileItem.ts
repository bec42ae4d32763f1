import type { CognitoUser } from '../cognitoUsers.js';
import { MAX_ITEM_BYTES, WelcomeAttribute } from '../constants.js';
import { InvalidProfileError } from '../errors.js';
import type { AttributeMapper, MappingContext, Profile, TriggerUser } from '../types.js';

const RESERVED_FIELDS: ReadonlySet<string> = new Set(Object.values(WelcomeAttribute));

/** DynamoDB nests 32 levels counting the top-level attribute: 31 maps or lists inside it. */
const MAX_NESTED_CONTAINERS = 31;
/** The smallest magnitude DynamoDB stores other than zero. */
const MIN_NUMBER_MAGNITUDE = 1e-130;
/** Room for the welcome claim attributes written alongside the profile. */
const CLAIM_HEADROOM_BYTES = 128;

/**
 * Maps the user's attributes to a profile row, then forces what a mapper may not change:
 * the partition key is the user's `sub`, `createdAt` is this sync's time, and the welcome
 * bookkeeping attributes are the library's. The mapper's output is checked and copied into
 * plain data in one walk (see {@link copyStorable}), so a bad mapper fails here with the
 * field named rather than in the SDK with a bare error.
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
  const walk: Walk = { root: mapped, trail: [], open: undefined, bytes: 0 };
  let item: Profile;
  try {
    item = copyFields(mapped, partitionKey, walk);
  } catch (error) {
    if (error instanceof InvalidProfileError) throw error;
    // A getter, a Proxy trap or a revoked Proxy threw while the walk read the value.
    throw new InvalidProfileError(pathOf(walk.trail), 'threw when read (a getter or a Proxy)', { cause: error });
  }
  item[partitionKey] = user.sub;
  item.createdAt = context.now;
  addBytes(walk, 2 + byteLength(partitionKey) + byteLength(user.sub) + byteLength('createdAt') + byteLength(context.now));
  addBytes(walk, CLAIM_HEADROOM_BYTES);
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

/** The state of one walk over a mapper's output. */
interface Walk {
  /** The mapper's output itself, the first container a cycle can lead back to. */
  readonly root: unknown;
  /** Keys from the top-level field down to the value being read: names the field in errors. */
  readonly trail: Array<string | number>;
  /** The containers being copied, made at the first nested one (flat profiles need none). */
  open: WeakSet<object> | undefined;
  /** DynamoDB's size of what was copied so far. */
  bytes: number;
}

/*
 * The walk reads each property once and copies it: the row holds exactly the data that was
 * checked, so a getter or Proxy cannot show one value to the check and another to the
 * marshaller. It guards cycles with the containers on the current path, stops at
 * DynamoDB's nesting depth and as soon as the item passes the size limit (shared
 * references cannot multiply the work), and only allocates for nested containers.
 */

function copyFields(mapped: unknown, partitionKey: string, walk: Walk): Profile {
  if (!isPlainObject(mapped)) throw new InvalidProfileError('profile', 'mapAttributes must return a plain object');
  const item: Profile = {};
  for (const field of Object.keys(mapped)) {
    // The key and createdAt are overwritten and the welcome attributes are the library's.
    if (field === partitionKey || field === 'createdAt' || RESERVED_FIELDS.has(field)) continue;
    if (field.length === 0) throw new InvalidProfileError('profile', 'has an empty field name');
    walk.trail.push(field);
    checkKey(field, walk);
    const value = copyStorable(mapped[field], walk);
    walk.trail.pop();
    if (value === undefined) continue;
    item[field] = value;
    addBytes(walk, 1 + byteLength(field));
  }
  return item;
}

/** Checks one value and returns the plain data to store (`undefined`: no attribute). */
function copyStorable(value: unknown, walk: Walk): unknown {
  switch (typeof value) {
    case 'string':
      addBytes(walk, byteLength(value));
      return value;
    case 'boolean':
      addBytes(walk, 1);
      return value;
    case 'number': {
      const problem = numberProblem(value);
      if (problem) throw refuse(walk, problem);
      addBytes(walk, 21);
      return value;
    }
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) {
        addBytes(walk, 1);
        return null;
      }
      return copyObject(value, walk);
    default:
      throw refuse(walk, `has a ${typeof value}, which DynamoDB cannot store`);
  }
}

function copyObject(value: object, walk: Walk): unknown {
  if (Array.isArray(value)) return copyContainer(value, walk, copyList);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return copyContainer(value as Record<string, unknown>, walk, copyMap);
  if (proto === Set.prototype) return copySet(value as Set<unknown>, walk);
  if (proto === Uint8Array.prototype || proto === Buffer.prototype) {
    // A fresh Uint8Array: read through its own slots, it has no getter a marshaller could trip on.
    const bytes = new Uint8Array(value as Uint8Array);
    addBytes(walk, bytes.byteLength);
    return bytes;
  }
  if (value instanceof Date) throw refuse(walk, 'is a Date: store date.toISOString() instead');
  throw refuse(walk, 'is a class instance: store a plain object');
}

function copyContainer<T extends object>(value: T, walk: Walk, copy: (value: T, walk: Walk) => unknown): unknown {
  if (walk.trail.length > MAX_NESTED_CONTAINERS) throw refuse(walk, "is nested deeper than DynamoDB's 32 levels");
  const open = (walk.open ??= new WeakSet([walk.root as object]));
  if (open.has(value)) throw refuse(walk, 'contains itself (a cycle), which DynamoDB cannot store');
  open.add(value);
  const copied = copy(value, walk);
  open.delete(value);
  return copied;
}

function copyList(list: readonly unknown[], walk: Walk): unknown[] {
  const copy: unknown[] = [];
  const { length } = list;
  addBytes(walk, 3);
  for (let index = 0; index < length; index += 1) {
    walk.trail.push(index);
    // Counted even when dropped, so that a huge sparse list still ends the walk.
    addBytes(walk, 1);
    const element = copyStorable(list[index], walk);
    walk.trail.pop();
    // As the SDK's marshaller with removeUndefinedValues: undefined elements are dropped.
    if (element !== undefined) copy.push(element);
  }
  return copy;
}

function copyMap(map: Record<string, unknown>, walk: Walk): Profile {
  const copy: Profile = {};
  addBytes(walk, 3);
  for (const key of Object.keys(map)) {
    walk.trail.push(key);
    checkKey(key, walk);
    const value = copyStorable(map[key], walk);
    walk.trail.pop();
    if (value === undefined) continue;
    copy[key] = value;
    addBytes(walk, 1 + byteLength(key));
  }
  return copy;
}

function copySet(set: Set<unknown>, walk: Walk): Set<string | number> {
  const copy = new Set<string | number>();
  let kind: string | undefined;
  addBytes(walk, 3);
  // The intrinsic iterator reads the Set's own slots: a Proxy of a Set throws here.
  for (const element of Set.prototype.values.call(set)) {
    kind ??= typeof element;
    if (typeof element !== kind || (kind !== 'string' && kind !== 'number')) {
      throw refuse(walk, 'must be a Set of only strings or only numbers');
    }
    if (typeof element === 'number') {
      const problem = numberProblem(element);
      if (problem) throw refuse(walk, `holds a number that ${problem}`);
    }
    addBytes(walk, 1 + (typeof element === 'string' ? byteLength(element) : 21));
    copy.add(element as string | number);
  }
  if (copy.size === 0) throw refuse(walk, 'is an empty Set, which DynamoDB cannot store');
  return copy;
}

/*
 * `__proto__` cannot be a key of the JavaScript object a row is read back into (the SDK's
 * unmarshall would set the object's prototype instead). `constructor` is fine: the store
 * writes through marshallProfile, which does not read `value.constructor`.
 */
function checkKey(key: string, walk: Walk): void {
  if (key === '__proto__') throw refuse(walk, 'is named __proto__, which JavaScript cannot read back');
}

/** What is wrong with a number for DynamoDB, as the end of a sentence; `undefined` if nothing. */
function numberProblem(value: number): string | undefined {
  if (!Number.isFinite(value)) return 'is not a finite number';
  const magnitude = Math.abs(value);
  // Larger integers lose digits in JavaScript before DynamoDB ever sees them.
  if (magnitude > Number.MAX_SAFE_INTEGER) return 'is an integer beyond Number.MAX_SAFE_INTEGER: store it as a string';
  if (magnitude < MIN_NUMBER_MAGNITUDE && magnitude !== 0) return "is closer to zero than DynamoDB's smallest number, 1e-130";
  return undefined;
}

/*
 * DynamoDB's item size rules, rounded up: names and strings by UTF-8 length, numbers at
 * their 21-byte maximum, 3 bytes plus 1 per element for lists, maps and sets.
 */
function addBytes(walk: Walk, bytes: number): void {
  walk.bytes += bytes;
  if (walk.bytes > MAX_ITEM_BYTES) {
    throw new InvalidProfileError('profile', `is over ${walk.bytes} bytes, past DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`);
  }
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function refuse(walk: Walk, problem: string): InvalidProfileError {
  return new InvalidProfileError(pathOf(walk.trail), problem);
}

/** `address.lines[0]` for the trail `['address', 'lines', 0]`; `profile` for the whole item. */
function pathOf(trail: ReadonlyArray<string | number>): string {
  if (trail.length === 0) return 'profile';
  let path = String(trail[0]);
  for (let index = 1; index < trail.length; index += 1) {
    const key = trail[index]!;
    path += typeof key === 'number' ? `[${key}]` : `.${key}`;
  }
  return path;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
