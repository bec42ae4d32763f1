import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostConfirmationHandler, createPreTokenGenerationHandler } from '../../src/index.js';
import { marshallProfile } from '../../src/store/marshallProfile.js';
import { buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';

let dynamo: TestDynamo;
const TABLE = 'item-profiles';

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(TABLE);
});
afterAll(async () => {
  await dynamo?.stop();
});

/** A profile with every kind of value a mapper may store, under awkward names. */
const awkward = (userId: string) => ({
  userId,
  constructor: 'Ada',
  toString: 'b',
  valueOf: 0,
  empty: '',
  flag: false,
  none: null,
  ratio: 0.1 + 0.2,
  bytes: new Uint8Array([0, 255]),
  tags: new Set(['a', '', 'line\u2028break']),
  scores: new Set([1, -2.5, Number.MAX_SAFE_INTEGER]),
  prefs: { constructor: { name: 'Set' }, hasOwnProperty: 'x', list: [{ constructor: 'Number' }, ['nested']] },
});

describe('marshallProfile against dynalite', () => {
  it('round-trips fields and nested keys named constructor, toString and valueOf through PutItem', async () => {
    const item = awkward('round-trip-put');
    // Why the store needs it: the SDK's marshaller cannot write this item at all.
    expect(() => marshall(item, { removeUndefinedValues: true })).toThrow();

    await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: marshallProfile(item) }));
    const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { userId: { S: item.userId } }, ConsistentRead: true }));

    expect(unmarshall(Item!)).toEqual(item);
  });

  it('round-trips the same values as UpdateItem expression values', async () => {
    const { userId, ...fields } = awkward('round-trip-update');
    const names = Object.fromEntries(Object.keys(fields).map((field, index) => [`#f${index}`, field]));
    const values = Object.fromEntries(Object.values(fields).map((value, index) => [`:f${index}`, value]));

    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { userId: { S: userId } },
        UpdateExpression: `SET ${Object.keys(names).map((name) => `${name} = ${name.replace('#', ':')}`).join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: marshallProfile(values),
      }),
    );

    expect(await dynamo.getItem(TABLE, { userId })).toEqual({ userId, ...fields });
  });
});

describe('mapper output against dynalite', () => {
  const table = () => ({ name: TABLE, client: dynamo.client });

  it('stores a Proxy, a getter and a Set as the plain data they showed', async () => {
    const prefs = new Proxy({ theme: 'dark' }, {});
    const mapAttributes = () => ({
      prefs,
      get plan() {
        return 'pro';
      },
      tags: new Set(['a', 'b']),
    });
    const handler = createPostConfirmationHandler({ table: table(), logger: recordingLogger(), mapAttributes });
    const event = buildPostConfirmationEvent();

    await handler(event, buildLambdaContext());

    expect(await dynamo.getItem(TABLE, { userId: event.request.userAttributes.sub! })).toMatchObject({
      prefs: { theme: 'dark' },
      plan: 'pro',
      tags: new Set(['a', 'b']),
    });
  });

  it('lets a confirmation and a sign-in go on with failOpen when the mapper output has a cycle, writing nothing', async () => {
    const mapAttributes = () => {
      const profile: Record<string, unknown> = { plan: 'pro' };
      profile.self = { back: profile };
      return profile;
    };
    const logger = recordingLogger();
    const confirm = createPostConfirmationHandler({ table: table(), logger, failOpen: true, mapAttributes });
    const signIn = createPreTokenGenerationHandler({ table: table(), logger, mapAttributes });
    const event = buildPostConfirmationEvent();
    const sub = event.request.userAttributes.sub!;

    await expect(confirm(event, buildLambdaContext())).resolves.toBe(event);
    const login = buildPreTokenGenerationEvent({ sub });
    await expect(signIn(login, buildLambdaContext())).resolves.toBe(login);

    expect(await dynamo.getItem(TABLE, { userId: sub })).toBeUndefined();
    expect(logger.records.map(({ record }) => record.error)).toEqual([
      { name: 'InvalidProfileError' },
      { name: 'InvalidProfileError' },
    ]);
  });
});

describe('constructor through the handlers against dynalite (wired)', () => {
  it('stores custom:constructor and a nested constructor key', async () => {
    const { combineMappers, customAttributes, defaultProfile } = await import('../../src/index.js');
    const mapAttributes = combineMappers(defaultProfile, customAttributes, () => ({ prefs: { constructor: { name: 'Set' } } }));
    const confirm = createPostConfirmationHandler({ table: { name: TABLE, client: dynamo.client }, logger: recordingLogger(), mapAttributes });
    const signIn = createPreTokenGenerationHandler({ table: { name: TABLE, client: dynamo.client }, logger: recordingLogger(), failOpen: false, mapAttributes, claims: { who: 'constructor' } });
    const event = buildPostConfirmationEvent({ userAttributes: { 'custom:constructor': 'Ada' } });
    const sub = event.request.userAttributes.sub!;

    await confirm(event, buildLambdaContext());
    const created = await dynamo.getItem(TABLE, { userId: sub });
    const result = await signIn(buildPreTokenGenerationEvent({ sub, userAttributes: { 'custom:constructor': 'Grace' } }), buildLambdaContext());
    const updated = await dynamo.getItem(TABLE, { userId: sub });

    expect(created).toMatchObject({ constructor: 'Ada', prefs: { constructor: { name: 'Set' } } });
    expect(updated).toMatchObject({ constructor: 'Grace', prefs: { constructor: { name: 'Set' } } });
    expect((result.response as any).claimsOverrideDetails.claimsToAddOrOverride).toEqual({ who: 'Grace' });
  });
});
