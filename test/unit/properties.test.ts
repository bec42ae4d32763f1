import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand, DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdminChangeHandler,
  createPostConfirmationHandler,
  createPreTokenGenerationHandler,
  isClaimError,
  isInvalidProfileError,
  isProfileSyncError,
} from '../../src/index.js';
import { buildCognitoApiCallEvent, buildLambdaContext, buildPostConfirmationEvent, buildPreTokenGenerationEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

/*
 * Property-based checks over arbitrary event shapes, attribute maps and mapper outputs:
 * every handler settles with its result or a typed library error (never a bare TypeError),
 * and no generated email or phone number reaches a log line.
 */
const ddb = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const client = new DynamoDBClient({ region: 'us-east-1' });

beforeAll(() => {
  ddb.on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({}).on(DeleteItemCommand).resolves({});
  cognito.on(ListUsersCommand).resolves({ Users: [] });
});
afterAll(() => {
  ddb.restore();
  cognito.restore();
});

/** Any JSON-ish value, nested, including the odd ones events never should carry. */
const anything = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.double(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Keys that trip naive code: Object.prototype names, `__proto__`, empty, line separators. */
const awkwardKey = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '', 'a\u2028b', '\u2029', 'x\u0085y'),
);

/*
 * Hostile values (Proxies with throwing traps, revoked Proxies, cycles) would trip
 * fast-check itself, which inspects what it generates. So the generators make recipes:
 * functions that build the value inside the property, and print as what they build.
 */
type Recipe = (() => unknown) & { [fc.toStringMethod]: () => string };

function recipe(description: string, build: () => unknown): Recipe {
  return Object.assign(build, { [fc.toStringMethod]: () => description });
}

const text = (value: unknown) => fc.stringify(value);

/** Scalars, including the numbers DynamoDB or JavaScript cannot hold exactly. */
const scalar = fc
  .oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.constantFrom(2 ** 53 + 2, -(2 ** 53) - 2, Number.MAX_SAFE_INTEGER, 5e-324, 1e-131, -0),
    fc.string(),
    fc.string({ unit: fc.constantFrom('a', '\u2028', '\u2029', '\u0085', '\n', '界', '\ud800') }),
    fc.bigInt(),
    fc.constantFrom<unknown>(Symbol('s'), () => 1, new Date(0), new Map([['a', 1]]), new Uint8Array([1, 2])),
  )
  .map((value) => recipe(text(value), () => value));

/** Sets of strings or numbers, sometimes mixed, empty, or holding NaN, Infinity or unsafe integers. */
const set = fc
  .array(fc.oneof(fc.string({ maxLength: 4 }), fc.double(), fc.integer(), fc.constantFrom<unknown>(Number.NaN, 2 ** 53 + 2, undefined)), { maxLength: 4 })
  .map((elements) => recipe(`new Set(${text(elements)})`, () => new Set(elements)));

function proxied(target: unknown, trap: string): object {
  const object = typeof target === 'object' && target !== null ? target : { value: target };
  if (trap === 'revoked') {
    const { proxy, revoke } = Proxy.revocable(object, {});
    revoke();
    return proxy;
  }
  const fail = () => {
    throw new TypeError('trap');
  };
  return new Proxy(object, trap === 'none' ? {} : { [trap]: fail });
}

function withCycle(value: unknown, shape: string): object {
  const holder: Record<string, unknown> = { value };
  if (shape === 'self') holder.self = holder;
  else if (shape === 'list') holder.list = [{ back: holder }];
  else holder.deep = { a: { b: [holder] } };
  return holder;
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = level % 2 ? { v: value } : [value];
  return value;
}

const buildEntries = (entries: ReadonlyArray<readonly [string, Recipe]>) => Object.fromEntries(entries.map(([key, build]) => [key, build()]));
const describeEntries = (entries: ReadonlyArray<readonly [string, Recipe]>) =>
  `{${entries.map(([key, build]) => `${JSON.stringify(key)}: ${build[fc.toStringMethod]()}`).join(', ')}}`;

/**
 * Mapper output as user code may make it: scalars, Sets, lists, objects with awkward keys,
 * getters (some throwing), Proxies (some with throwing traps, some revoked), cycles, and
 * nesting around DynamoDB's 32 levels.
 */
const mapperValue: fc.Arbitrary<Recipe> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    scalar,
    set,
    fc.array(tie('value') as fc.Arbitrary<Recipe>, { maxLength: 3 }).map((builds) =>
      recipe(`[${builds.map((build) => build[fc.toStringMethod]()).join(', ')}]`, () => builds.map((build) => build())),
    ),
    fc.array(fc.tuple(awkwardKey, tie('value') as fc.Arbitrary<Recipe>), { maxLength: 4 }).map((entries) =>
      recipe(describeEntries(entries), () => buildEntries(entries)),
    ),
    fc.tuple(awkwardKey, tie('value') as fc.Arbitrary<Recipe>, fc.boolean()).map(([key, build, throws]) =>
      recipe(`{ get ${JSON.stringify(key)}: ${throws ? 'throws' : build[fc.toStringMethod]()} }`, () => {
        const value = build();
        return Object.defineProperty({}, key, {
          enumerable: true,
          get() {
            if (throws) throw new Error('getter');
            return value;
          },
        });
      }),
    ),
    fc
      .tuple(tie('value') as fc.Arbitrary<Recipe>, fc.constantFrom('none', 'ownKeys', 'get', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'revoked'))
      .map(([build, trap]) => recipe(`Proxy(${build[fc.toStringMethod]()}, ${trap})`, () => proxied(build(), trap))),
    fc
      .tuple(tie('value') as fc.Arbitrary<Recipe>, fc.constantFrom('self', 'list', 'deep'))
      .map(([build, shape]) => recipe(`cycle(${shape}, ${build[fc.toStringMethod]()})`, () => withCycle(build(), shape))),
    fc.integer({ min: 29, max: 34 }).map((depth) => recipe(`nested(${depth})`, () => ({ deep: nested(depth) }))),
  ),
})).value as fc.Arbitrary<Recipe>;

/** A whole mapper output: usually an object of fields, sometimes anything at all (a list, a scalar). */
const mapperOutput: fc.Arbitrary<Recipe> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.array(fc.tuple(awkwardKey, mapperValue), { maxLength: 5 }).map((entries) => recipe(describeEntries(entries), () => buildEntries(entries))),
  },
  { weight: 1, arbitrary: mapperValue },
);

const email = fc.tuple(fc.stringMatching(/^[a-z]{3,10}$/), fc.stringMatching(/^[a-z]{3,8}$/)).map(([user, host]) => `${user}@${host}.example`);
const phone = fc.stringMatching(/^\+1555\d{7}$/);

/** A real event with random parts replaced by arbitrary values. */
function mangled<T extends object>(base: () => T) {
  return fc
    .tuple(
      fc.constantFrom('event', 'request', 'request.userAttributes', 'request.userAttributes.sub', 'userPoolId', 'triggerSource', 'userName', 'none'),
      anything,
    )
    .map(([path, value]) => {
      if (path === 'event') return value;
      const event = base() as Record<string, any>;
      if (path === 'none') return event;
      const keys = path.split('.');
      let target = event;
      for (const key of keys.slice(0, -1)) target = target[key];
      target[keys.at(-1)!] = value;
      return event;
    });
}

async function settle(promise: Promise<unknown>): Promise<'ok' | 'typed'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isProfileSyncError(error)) return 'typed';
    throw error;
  }
}

describe('properties', () => {
  it('PostConfirmation settles with the event or a typed error for any event shape', async () => {
    const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), onWelcome: async () => undefined });
    await fc.assert(
      fc.asyncProperty(mangled(() => buildPostConfirmationEvent()), async (event) => {
        await settle(handler(event as never, buildLambdaContext()));
      }),
      { numRuns: 300 },
    );
  });

  it('PostConfirmation settles for any mapper output: the row is written or an InvalidProfileError names the field', async () => {
    const fails: string[] = [];
    await fc.assert(
      fc.asyncProperty(mapperOutput, async (output) => {
        ddb.resetHistory();
        const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => output() as never });
        try {
          await handler(buildPostConfirmationEvent(), buildLambdaContext());
          expect(ddb.commandCalls(PutItemCommand)).toHaveLength(1);
        } catch (error) {
          if (!isInvalidProfileError(error)) throw error;
          expect(error.field.length).toBeGreaterThan(0);
          expect(ddb.calls()).toHaveLength(0);
          fails.push(error.field);
        }
      }),
      { numRuns: 400 },
    );
    // The generators reach the bad cases: many outputs are refused, not all of them at the top.
    expect(fails.length).toBeGreaterThan(40);
    expect(fails.some((field) => field.includes('.') || field.includes('['))).toBe(true);
  });

  it('PostConfirmation with failOpen resolves for any mapper output', async () => {
    await fc.assert(
      fc.asyncProperty(mapperOutput, async (output) => {
        const handler = createPostConfirmationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), failOpen: true, mapAttributes: () => output() as never });
        const event = buildPostConfirmationEvent();

        await expect(handler(event, buildLambdaContext())).resolves.toBe(event);
      }),
      { numRuns: 300 },
    );
  });

  it('PreTokenGeneration settles for any mapper output and claim value, failing closed with a typed error or open with the event', async () => {
    await fc.assert(
      fc.asyncProperty(mapperOutput, mapperValue, fc.constantFrom('1', '2', '3'), async (output, claim, version) => {
        const options = { table: { name: 'profiles', client }, logger: recordingLogger(), mapAttributes: () => output() as never, claims: { odd: () => claim() as never } };
        const closed = createPreTokenGenerationHandler({ ...options, failOpen: false });
        const open = createPreTokenGenerationHandler(options);
        const event = buildPreTokenGenerationEvent({ version: version as '1' });

        const probe = claim();
        try {
          const result = await closed(structuredClone(event), buildLambdaContext());
          // What goes back to Cognito must survive JSON with its claim, a string in V1.
          const response = JSON.parse(JSON.stringify(result)).response;
          const claims =
            version === '1'
              ? response.claimsOverrideDetails?.claimsToAddOrOverride
              : response.claimsAndScopeOverrideDetails?.idTokenGeneration?.claimsToAddOrOverride;
          if (probe === undefined || probe === null) expect(claims).toBeUndefined();
          else expect(claims).toHaveProperty('odd', version === '1' ? expect.any(String) : expect.anything());
        } catch (error) {
          if (!isInvalidProfileError(error) && !isClaimError(error)) throw error;
        }
        await expect(open(event, buildLambdaContext())).resolves.toBe(event);
      }),
      { numRuns: 300 },
    );
  });

  it('the admin-change handler settles with a typed error for any mapper output', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [{ Username: 'ana', Enabled: true, UserStatus: 'CONFIRMED', Attributes: [{ Name: 'sub', Value: 'aaaaaaaa-0000-0000-0000-000000000000' }] }] });
    await fc.assert(
      fc.asyncProperty(mapperOutput, async (output) => {
        const handler = createAdminChangeHandler({
          table: { name: 'profiles', client },
          userPoolId: 'us-east-1_EXAMPLE01',
          cognitoClient: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
          logger: recordingLogger(),
          mapAttributes: () => output() as never,
        });
        await settle(handler(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: 'aaaaaaaa-0000-0000-0000-000000000000' })));
      }),
      { numRuns: 200 },
    );
    cognito.on(ListUsersCommand).resolves({ Users: [] });
  });

  it('PreTokenGeneration settles for any event shape, failing open or with a typed error', async () => {
    const handler = createPreTokenGenerationHandler({ table: { name: 'profiles', client }, logger: recordingLogger(), claims: { plan: 'plan' } });
    await fc.assert(
      fc.asyncProperty(mangled(() => buildPreTokenGenerationEvent()), async (event) => {
        await settle(handler(event as never, buildLambdaContext()));
      }),
      { numRuns: 300 },
    );
  });

  it('PreTokenGeneration failing closed settles for any response shape, and a resolved event carries its claims through JSON', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: { userId: { S: 'x' }, plan: { S: 'pro' } } });
    const handler = createPreTokenGenerationHandler({
      table: { name: 'profiles', client },
      logger: recordingLogger(),
      failOpen: false,
      claims: { plan: 'plan' },
      accessTokenClaims: { tier: 'plan' },
    });
    const paths = {
      '1': ['response', 'response.claimsOverrideDetails', 'response.claimsOverrideDetails.claimsToAddOrOverride'],
      '2': [
        'response',
        'response.claimsAndScopeOverrideDetails',
        'response.claimsAndScopeOverrideDetails.idTokenGeneration',
        'response.claimsAndScopeOverrideDetails.accessTokenGeneration',
        'response.claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride',
      ],
    } as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('1', '2', '3'), fc.nat(), anything, async (version, pick, value) => {
        const event = buildPreTokenGenerationEvent({ version }) as unknown as Record<string, any>;
        const candidates = paths[version === '1' ? '1' : '2'];
        const keys = candidates[pick % candidates.length]!.split('.');
        let target = event;
        for (const key of keys.slice(0, -1)) target = target[key] ??= {};
        target[keys.at(-1)!] = value;

        try {
          const result = JSON.parse(JSON.stringify(await handler(event as never, buildLambdaContext())));
          if (version === '1') expect(result.response.claimsOverrideDetails.claimsToAddOrOverride).toMatchObject({ plan: 'pro' });
          else {
            const details = result.response.claimsAndScopeOverrideDetails;
            expect(details.idTokenGeneration.claimsToAddOrOverride).toMatchObject({ plan: 'pro' });
            expect(details.accessTokenGeneration.claimsToAddOrOverride).toMatchObject({ tier: 'pro' });
          }
        } catch (error) {
          // Only a response that is not an object at all is refused.
          expect(error).toMatchObject({ name: 'InvalidEventError', field: 'response' });
        }
      }),
      { numRuns: 300 },
    );
    ddb.on(UpdateItemCommand).resolves({});
  });

  it('the admin-change handler settles for any event shape', async () => {
    const handler = createAdminChangeHandler({
      table: { name: 'profiles', client },
      userPoolId: 'us-east-1_EXAMPLE01',
      cognitoClient: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
      logger: recordingLogger(),
    });
    await fc.assert(
      fc.asyncProperty(anything, fc.constantFrom('AdminUpdateUserAttributes', 'AdminDeleteUser', 'Other'), anything, async (detail, eventName, time) => {
        const event = { source: 'aws.cognito-idp', time, detail: typeof detail === 'object' && detail !== null ? { ...detail, eventName } : detail };
        await settle(handler(event as never));
      }),
      { numRuns: 300 },
    );
  });

  it('no generated email or phone number appears in any log line', async () => {
    await fc.assert(
      fc.asyncProperty(email, phone, fc.string({ minLength: 1 }), fc.boolean(), async (address, number, name, failing) => {
        const logger = recordingLogger();
        const confirm = createPostConfirmationHandler({
          table: { name: 'profiles', client },
          logger,
          onWelcome: async () => {
            if (failing) throw Object.assign(new Error(`rejected ${address} ${number}`), { name: 'MessageRejected' });
          },
        });
        const signIn = createPreTokenGenerationHandler({ table: { name: 'profiles', client }, logger, claims: { email: 'email' } });
        const attributes = { email: address, phone_number: number, name };

        await confirm(buildPostConfirmationEvent({ userAttributes: attributes, userName: address }), buildLambdaContext());
        await signIn(buildPreTokenGenerationEvent({ userAttributes: attributes, userName: address }), buildLambdaContext());

        expect(logger.records.length).toBe(2);
        expect(logger.text()).not.toContain(address);
        expect(logger.text()).not.toContain(number);
      }),
      { numRuns: 200 },
    );
  });
});
