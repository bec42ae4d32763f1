import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  combineMappers,
  createAdminChangeHandler,
  createPostConfirmationHandler,
  createPreTokenGenerationHandler,
  customAttributes,
  defaultProfile,
  InvalidProfileError,
  isProfileSyncError,
  type AttributeMapper,
} from '../../src/index.js';
import { marshallProfile } from '../../src/store/marshallProfile.js';
import { buildCognitoApiCallEvent, buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

/*
 * What a mapper returns is user code: it may hold cycles, getters, Proxies or values the
 * DynamoDB marshaller chokes on. Every path that builds a row from it (PostConfirmation,
 * PreTokenGeneration, admin changes, reconcile) either stores exactly what it checked or
 * refuses with an InvalidProfileError naming the field; `failOpen` then applies.
 */
const ddb = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const SUB = '11111111-2222-3333-4444-555555555555';
const SECRET = 'ana.secret@example.com';

afterEach(() => {
  ddb.reset();
  cognito.reset();
});

function throwingGetter(target: object, key: string): object {
  return Object.defineProperty(target, key, {
    enumerable: true,
    get() {
      throw new Error(`cannot read ${SECRET}`);
    },
  });
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = { v: value };
  return value;
}

/** Mapper outputs that cannot be stored as they are, and the field each error must name. */
const unstorable: Array<[label: string, output: () => unknown, field: string]> = [
  [
    'a cycle',
    () => {
      const profile: Record<string, unknown> = { plan: 'pro' };
      profile.self = profile;
      return profile;
    },
    'self',
  ],
  [
    'a cycle through a list',
    () => {
      const back: unknown[] = [];
      const prefs = { list: [{ back }] };
      back.push(prefs);
      return { prefs };
    },
    'prefs.list[0].back[0]',
  ],
  ['a getter that throws', () => throwingGetter({ plan: 'pro' }, 'email'), 'email'],
  ['a nested getter that throws', () => ({ address: throwingGetter({}, 'city') }), 'address.city'],
  ['a Proxy whose ownKeys trap throws', () => ({ prefs: new Proxy({}, { ownKeys: () => { throw new TypeError(SECRET); } }) }), 'prefs'],
  ['a Proxy whose get trap throws', () => ({ prefs: new Proxy({ theme: 'dark' }, { get: () => { throw new TypeError(SECRET); } }) }), 'prefs.theme'],
  [
    'a revoked Proxy',
    () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return { prefs: proxy };
    },
    'prefs',
  ],
  ['a Proxy as the whole output', () => new Proxy({}, { getPrototypeOf: () => { throw new TypeError(SECRET); } }), 'profile'],
  ['a Proxy of a Set', () => ({ tags: new Proxy(new Set(['a']), {}) }), 'tags'],
  ['a Set holding NaN', () => ({ scores: new Set([1, Number.NaN]) }), 'scores'],
  ['a Set holding Infinity', () => ({ scores: new Set([Number.POSITIVE_INFINITY]) }), 'scores'],
  ['a Set holding an integer beyond 2^53', () => ({ ids: new Set([1, 2 ** 53 + 2]) }), 'ids'],
  ['a Set mixing strings and numbers', () => ({ ids: new Set(['1', 2]) }), 'ids'],
  ['a Set holding undefined', () => ({ ids: new Set(['a', undefined]) }), 'ids'],
  ['a number too small for DynamoDB', () => ({ tiny: 5e-324 }), 'tiny'],
  ['a map nested past DynamoDB’s 32 levels', () => ({ deep: nested(32) }), `deep${'.v'.repeat(31)}`],
  ['a field named __proto__', () => JSON.parse('{"plan":"pro","__proto__":{"admin":true}}'), '__proto__'],
  ['a nested key named __proto__', () => ({ prefs: JSON.parse('{"__proto__":"x"}') }), 'prefs.__proto__'],
  ['a Map', () => ({ prefs: new Map([['theme', 'dark']]) }), 'prefs'],
  ['a Uint8Array subclass', () => ({ blob: new (class Bytes extends Uint8Array {})(2) }), 'blob'],
];

describe('mapper output that cannot be stored', () => {
  it.each(unstorable)('PostConfirmation rejects %s with InvalidProfileError naming the field', async (_label, output, field) => {
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => output() as never });

    const error = await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error).toMatchObject({ field });
    expect((error as Error).message).not.toContain(SECRET);
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each(unstorable)('PostConfirmation with failOpen resolves for %s, logging the field-naming error', async (_label, output) => {
    const logger = recordingLogger();
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger, failOpen: true, mapAttributes: () => output() as never });
    const event = buildPostConfirmationEvent({ sub: SUB });

    await expect(handler(event, buildLambdaContext())).resolves.toBe(event);

    expect(ddb.calls()).toHaveLength(0);
    expect(logger.records).toEqual([expect.objectContaining({ level: 'error', record: expect.objectContaining({ error: expect.objectContaining({ name: 'InvalidProfileError' }) }) })]);
  });

  it.each(unstorable)('PreTokenGeneration rejects %s with InvalidProfileError when failing closed, and fails open by default', async (_label, output, field) => {
    ddb.on(UpdateItemCommand).resolves({});
    const closed = createPreTokenGenerationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), failOpen: false, mapAttributes: () => output() as never });
    const open = createPreTokenGenerationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => output() as never });
    const event = buildPreTokenGenerationEvent({ sub: SUB });

    const error = await closed(event, buildLambdaContext()).catch((e: unknown) => e);
    await expect(open(event, buildLambdaContext())).resolves.toBe(event);

    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error).toMatchObject({ field });
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each(unstorable)('the admin-change handler rejects %s with InvalidProfileError', async (_label, output, field) => {
    cognito.on(ListUsersCommand).resolves({
      Users: [{ Username: 'ana', Enabled: true, UserStatus: 'CONFIRMED', Attributes: [{ Name: 'sub', Value: SUB }] }],
    });
    const handler = createAdminChangeHandler({
      table: { name: 'profiles', client },
      userPoolId: 'us-east-1_EXAMPLE01',
      cognitoClient: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
      logger: recordingLogger(),
      mapAttributes: () => output() as never,
    });

    const error = await handler(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: SUB })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error).toMatchObject({ field });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('stops early on shared references that would multiply past the item limit', async () => {
    // 2^25 leaves if walked naively; the walk must give up once the item is over 400 KB.
    let shared: unknown = 'x'.repeat(64);
    for (let level = 0; level < 25; level += 1) shared = { left: shared, right: shared };
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => ({ tree: shared }) });

    const error = await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error).toMatchObject({ field: 'profile' });
  });
});

describe('mapper output that can be stored', () => {
  it('reads every property once and stores what it checked', async () => {
    ddb.on(PutItemCommand).resolves({});
    let reads = 0;
    const address = {
      get city() {
        reads += 1;
        // A second read would return something DynamoDB cannot hold.
        return reads === 1 ? 'Lisbon' : Symbol('changed');
      },
    };
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => ({ address }) });

    await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

    expect(reads).toBe(1);
    expect(unmarshall(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!)).toMatchObject({ address: { city: 'Lisbon' } });
  });

  it('stores a well-behaved Proxy as the plain data it shows', async () => {
    ddb.on(PutItemCommand).resolves({});
    const prefs = new Proxy({ theme: 'dark', tags: new Set(['a', 'b']) }, {});
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => ({ prefs }) });

    await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

    expect(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!.prefs).toEqual({ M: { theme: { S: 'dark' }, tags: { SS: ['a', 'b'] } } });
  });

  it('stores keys named like Object.prototype members, and line separators in keys and values', async () => {
    ddb.on(PutItemCommand).resolves({});
    const output = { toString: 'a', valueOf: 'b', hasOwnProperty: 'c', prefs: { toString: 'd', 'line\u2028break': 'x\u2029y' } };
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => output });

    await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

    expect(unmarshall(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!)).toMatchObject(output);
  });

  it('keeps a list’s order and drops its undefined elements, as the SDK marshaller does', async () => {
    ddb.on(PutItemCommand).resolves({});
    // eslint-disable-next-line no-sparse-arrays
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => ({ list: ['a', undefined, 2, , true] }) });

    await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

    expect(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!.list).toEqual({ L: [{ S: 'a' }, { N: '2' }, { BOOL: true }] });
  });

  it('accepts a map nested 31 levels deep, DynamoDB’s limit', async () => {
    ddb.on(PutItemCommand).resolves({});
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => ({ deep: nested(31) }) });

    await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(1);
  });
});

describe('a profile field named constructor', () => {
  it('is stored through combineMappers(defaultProfile, customAttributes)', async () => {
    ddb.on(PutItemCommand).resolves({});
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: combineMappers(defaultProfile, customAttributes) });

    await handler(buildPostConfirmationEvent({ sub: SUB, userAttributes: { 'custom:constructor': 'Ada' } }), buildLambdaContext());

    expect(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!.constructor).toEqual({ S: 'Ada' });
  });

  it.each<[string, AttributeMapper, unknown]>([
    ['nested in a map', () => ({ address: { constructor: 'x' } }), { address: { constructor: 'x' } }],
    ['nested in a list', () => ({ list: [{ constructor: { name: 'Set' } }] }), { list: [{ constructor: { name: 'Set' } }] }],
  ])('is stored when %s', async (_label, mapAttributes, expected) => {
    ddb.on(UpdateItemCommand).resolves({});
    const handler = createPreTokenGenerationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), failOpen: false, mapAttributes });

    await handler(buildPreTokenGenerationEvent({ sub: SUB }), buildLambdaContext());

    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    const values = unmarshall(input.ExpressionAttributeValues!);
    const [field, value] = Object.entries(expected as Record<string, unknown>)[0]!;
    const placeholder = Object.entries(input.ExpressionAttributeNames!).find(([, name]) => name === field)![0];
    expect(values[placeholder.replace('#', ':')]).toEqual(value);
  });
});

describe('the row PostConfirmation writes', () => {
  // The trigger converts the mapper's output in the walk that checks it (no second pass).
  it('holds the same attribute values as the SDK marshaller writes for ordinary output', async () => {
    ddb.on(PutItemCommand).resolves({});
    const output = {
      text: '',
      count: -0,
      ratio: 0.1 + 0.2,
      tiny: 1e-7,
      big: -(2 ** 53 - 1),
      flag: false,
      none: null,
      bytes: new Uint8Array([1, 2]),
      tags: new Set(['a', '']),
      scores: new Set([1, 2.5]),
      list: ['a', undefined, 3, [true], { deep: { deeper: 'x' } }],
      map: { nested: { deeper: 'x' }, skipped: undefined, 'key with spaces': 1 },
      skipped: undefined,
    };
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => output });

    await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

    const { userId, createdAt, ...written } = ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    expect(userId).toEqual({ S: SUB });
    expect(createdAt).toEqual({ S: expect.any(String) });
    expect(written).toEqual(marshall(output, { removeUndefinedValues: true }));
  });
});

describe('marshallProfile', () => {
  it('writes the same attribute values as the SDK marshaller for ordinary items', () => {
    const item = {
      userId: SUB,
      text: '',
      count: -0,
      ratio: 0.1 + 0.2,
      tiny: 1e-7,
      flag: false,
      none: null,
      bytes: new Uint8Array([1, 2]),
      tags: new Set(['a', '']),
      scores: new Set([1, 2.5]),
      list: ['a', undefined, 3, [true]],
      map: { nested: { deeper: 'x' }, skipped: undefined },
      skipped: undefined,
    };

    expect(marshallProfile(item)).toEqual(marshall(item, { removeUndefinedValues: true }));
  });

  it('writes fields and nested keys named constructor, toString and __proto__ as themselves', () => {
    const item = JSON.parse('{"constructor":"Ada","toString":"b","prefs":{"constructor":{"name":"Set"},"__proto__":"c"}}');

    const marshalled = marshallProfile(item);

    expect(Object.keys(marshalled)).toEqual(['constructor', 'toString', 'prefs']);
    expect(marshalled.constructor).toEqual({ S: 'Ada' });
    const prefs = marshalled.prefs!.M!;
    expect(Object.keys(prefs)).toEqual(['constructor', '__proto__']);
    expect(prefs.constructor).toEqual({ M: { name: { S: 'Set' } } });
    expect(Object.getOwnPropertyDescriptor(prefs, '__proto__')?.value).toEqual({ S: 'c' });
  });
});
