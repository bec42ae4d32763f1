import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DeleteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ADMIN_CHANGE_EVENT_NAMES, ConfigurationError, createAdminChangeHandler, type AdminChangeOptions } from '../../src/index.js';
import { buildCognitoApiCallEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

// The command inputs and the reading of CloudTrail records. The orderings themselves (which
// write wins) are asserted against a real dynalite in test/integration/adminChanges.

const ddb = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const POOL = 'eu-west-1_Pool123';
const SUB = '0f0f0f0f-1111-2222-3333-444444444444';

function setup(options: Partial<AdminChangeOptions> = {}) {
  const logger = recordingLogger();
  const handler = createAdminChangeHandler({
    table: { name: 'profiles', client: new DynamoDBClient({ region: 'eu-west-1' }) },
    userPoolId: POOL,
    cognitoClient: new CognitoIdentityProviderClient({ region: 'eu-west-1' }),
    logger,
    ...options,
  } as AdminChangeOptions);
  return { handler, logger };
}

const cognitoUser = (attributes: Record<string, string>, enabled = true, lastModified = new Date('2026-03-04T05:06:07.250Z')) => ({
  Users: [
    {
      Username: 'ana',
      Enabled: enabled,
      UserStatus: 'CONFIRMED' as const,
      UserLastModifiedDate: lastModified,
      Attributes: Object.entries({ sub: SUB, ...attributes }).map(([Name, Value]) => ({ Name, Value })),
    },
  ],
});

const updateInputs = () => ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);

describe('createAdminChangeHandler', () => {
  afterEach(() => {
    ddb.reset();
    cognito.reset();
    vi.useRealTimers();
  });

  it('reads the current user by sub and writes the mapped fields, versioned by the state read', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-04T05:06:09.000Z') });
    cognito.on(ListUsersCommand).resolves(cognitoUser({ email: 'changed@example.com', email_verified: 'false' }));
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB }) });
    const { handler, logger } = setup();
    const event = buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: SUB, userPoolId: POOL, eventTime: '2026-03-04T05:06:07Z' });

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual({ outcome: 'synced', eventName: 'AdminUpdateUserAttributes', sub: SUB });
    expect(cognito.commandCalls(ListUsersCommand)[0]!.args[0].input).toEqual({ UserPoolId: POOL, Filter: `sub = "${SUB}"`, Limit: 1 });
    const [input] = updateInputs();
    expect(input!.ConditionExpression).toBe(
      '(#version < :version OR (attribute_not_exists(#version) AND (attribute_not_exists(#legacyVersion) OR #legacyVersion <= :legacyVersion))) AND attribute_not_exists(#deletedAt)',
    );
    expect(input!.UpdateExpression).toMatch(/, #version = :version REMOVE #legacyVersion$/);
    expect(input!.ExpressionAttributeNames).toMatchObject({ '#version': 'cognitoVersion', '#legacyVersion': 'cognitoEventAt', '#deletedAt': 'deletedAt' });
    const values = unmarshall(input!.ExpressionAttributeValues!);
    // Cognito's last-modified time of the state written, then when it was read.
    expect(values[':version']).toBe('2026-03-04T05:06:07.250Z|2026-03-04T05:06:09.000Z');
    expect(values[':legacyVersion']).toBe('2026-03-04T05:06:07.000Z');
    expect(Object.values(values)).toEqual(expect.arrayContaining(['changed@example.com', false, true]));
    expect(logger.records[0]!.record).toMatchObject({ eventName: 'AdminUpdateUserAttributes', outcome: 'synced', sub: SUB });
    expect(logger.text()).not.toContain('changed@example.com');
  });

  it('orders a user Cognito reports no last-modified time for before any that has one', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-04T05:06:09.000Z') });
    const { Users } = cognitoUser({ email: 'a@example.com' });
    cognito.on(ListUsersCommand).resolves({ Users: [{ ...Users[0]!, UserLastModifiedDate: undefined }] });
    ddb.on(UpdateItemCommand).resolves({});
    const { handler } = setup();

    await handler(buildCognitoApiCallEvent({ eventName: 'AdminEnableUser', sub: SUB, userPoolId: POOL }));

    expect(unmarshall(updateInputs()[0]!.ExpressionAttributeValues!)[':version']).toBe('1970-01-01T00:00:00.000Z|2026-03-04T05:06:09.000Z');
  });

  it("never lets a mapper's output set the handler's own ordering and deletion fields", async () => {
    cognito.on(ListUsersCommand).resolves(cognitoUser({ email: 'a@example.com' }));
    ddb.on(UpdateItemCommand).resolves({});
    const forge = () => ({ email: 'a@example.com', deletedAt: 'never', cognitoVersion: '9999', cognitoEventAt: '9999' });
    const { handler } = setup({ mapAttributes: forge });

    await handler(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: SUB, userPoolId: POOL }));

    const values = Object.values(unmarshall(updateInputs()[0]!.ExpressionAttributeValues!));
    expect(values).toContain('a@example.com');
    expect(values).not.toContain('never');
    expect(values).not.toContain('9999');
  });

  it('applies every event name it exports for the EventBridge rule, and no other', async () => {
    cognito.on(ListUsersCommand).resolves(cognitoUser({ email: 'a@example.com' }));
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB }) });
    const { handler } = setup();
    const outcome = async (eventName: string) => (await handler(buildCognitoApiCallEvent({ eventName, sub: SUB, userPoolId: POOL }))).outcome;

    for (const eventName of ADMIN_CHANGE_EVENT_NAMES) expect([eventName, await outcome(eventName)]).toEqual([eventName, expect.stringMatching(/^(synced|marked)$/)]);
    expect(await outcome('AdminGetUser')).toBe('ignored');
    expect(ADMIN_CHANGE_EVENT_NAMES).toHaveLength(10);
  });

  it('writes the enabled flag from Cognito for disable and enable', async () => {
    cognito.on(ListUsersCommand).resolves(cognitoUser({}, false));
    ddb.on(UpdateItemCommand).resolves({});
    const { handler } = setup();

    await handler(buildCognitoApiCallEvent({ eventName: 'AdminDisableUser', sub: SUB, userPoolId: POOL }));

    const input = updateInputs()[0]!;
    const field = Object.entries(input.ExpressionAttributeNames!).find(([, name]) => name === 'enabled')![0];
    expect(unmarshall(input.ExpressionAttributeValues!)[field.replace('#', ':')]).toBe(false);
  });

  it('marks the row deleted by default, keeping the first deletion time, without reading Cognito', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-04T05:06:09.000Z') });
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB, deletedAt: '2026-03-04T05:06:07.000Z' }) });
    const { handler } = setup();

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: SUB, userPoolId: POOL, eventTime: '2026-03-04T05:06:07Z' }));

    expect(result.outcome).toBe('marked');
    expect(cognito.calls()).toHaveLength(0);
    // No condition: a deleted user with no row gets a tombstone, which shuts out a late sync.
    expect(updateInputs()).toEqual([
      {
        TableName: 'profiles',
        Key: marshall({ userId: SUB }),
        UpdateExpression: 'SET #deletedAt = if_not_exists(#deletedAt, :deletedAt), #updatedAt = :now',
        ExpressionAttributeNames: { '#deletedAt': 'deletedAt', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: marshall({ ':deletedAt': '2026-03-04T05:06:07.000Z', ':now': '2026-03-04T05:06:09.000Z' }),
        ReturnValues: 'ALL_NEW',
      },
    ]);
  });

  it("replaces the row with a tombstone with onDelete: 'delete', removing every field but the key and the times", async () => {
    const marked = { userId: SUB, deletedAt: '2026-03-04T05:06:07.000Z', updatedAt: 'now', email: 'a@example.com', welcomeSentAt: 'then' };
    ddb
      .on(UpdateItemCommand)
      .resolvesOnce({ Attributes: marshall(marked) })
      .resolvesOnce({ Attributes: marshall({ userId: SUB, deletedAt: marked.deletedAt, updatedAt: 'now' }) });
    const { handler } = setup({ onDelete: 'delete' });

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'DeleteUser', sub: SUB, userPoolId: POOL }));

    expect(result.outcome).toBe('deleted');
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
    const [mark, strip] = updateInputs();
    expect(mark!.UpdateExpression).toBe('SET #deletedAt = if_not_exists(#deletedAt, :deletedAt), #updatedAt = :now');
    expect(strip).toEqual({
      TableName: 'profiles',
      Key: marshall({ userId: SUB }),
      UpdateExpression: 'REMOVE #r0, #r1',
      ConditionExpression: 'attribute_exists(#deletedAt)',
      ExpressionAttributeNames: { '#deletedAt': 'deletedAt', '#r0': 'email', '#r1': 'welcomeSentAt' },
      ReturnValues: 'ALL_NEW',
    });
    expect(updateInputs()).toHaveLength(2);
  });

  it('gives up with a ProfileWriteError when fields keep arriving on a tombstone, so EventBridge retries', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB, deletedAt: 'x', email: 'again@example.com' }) });
    const { handler } = setup({ onDelete: 'delete' });

    const error = await handler(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: SUB, userPoolId: POOL })).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ProfileWriteError', operation: 'tombstoneProfile' });
    expect(updateInputs()).toHaveLength(4); // the mark, then three removals
  });

  it('writes nothing when the user is gone from Cognito', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const { handler } = setup();

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: SUB, userPoolId: POOL }));

    expect(result.outcome).toBe('user-gone');
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each([
    ['an unknown call', { eventName: 'AdminSetUserMFAPreference' }, 'unknown-call'],
    ['another pool', { eventName: 'AdminUpdateUserAttributes', userPoolId: 'eu-west-1_Other' }, 'other-pool'],
    ['a call that failed', { eventName: 'AdminUpdateUserAttributes', errorCode: 'UserNotFoundException' }, 'call-failed'],
  ])('ignores %s without throwing or writing, and logs why', async (_label, overrides, reason) => {
    const { handler, logger } = setup();

    const result = await handler(buildCognitoApiCallEvent({ sub: SUB, userPoolId: POOL, ...overrides }));

    expect(result).toMatchObject({ outcome: 'ignored', reason });
    expect(ddb.calls()).toHaveLength(0);
    expect(cognito.calls()).toHaveLength(0);
    expect(logger.records[0]!.record).toMatchObject({ outcome: 'ignored', reason });
  });

  it.each([
    ['an identity-pool call', { source: 'aws.cognito-identity', eventSource: 'cognito-identity.amazonaws.com' }],
    ['a record of another service under the Cognito source', { source: 'aws.cognito-idp', eventSource: 'sts.amazonaws.com' }],
  ])('ignores %s as not a user-pool call', async (_label, { source, eventSource }) => {
    const { handler, logger } = setup();
    const event = buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: SUB, userPoolId: POOL });
    (event as { source: string }).source = source;
    event.detail.eventSource = eventSource;

    const result = await handler(event);

    expect(result).toMatchObject({ outcome: 'ignored', reason: 'not-user-pool-call' });
    expect(ddb.calls()).toHaveLength(0);
    expect(logger.records[0]!.record).toMatchObject({ reason: 'not-user-pool-call' });
  });

  it('skips an event that does not say which user, never guessing, and logs why', async () => {
    const { handler, logger } = setup();

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: null, userPoolId: POOL }));

    expect(result).toMatchObject({ outcome: 'unidentified', reason: 'no-sub' });
    expect(ddb.calls()).toHaveLength(0);
    expect(logger.records[0]!.record).toMatchObject({ outcome: 'unidentified', reason: 'no-sub' });
  });

  it.each(['HIDDEN_DUE_TO_SECURITY_REASONS', 'HIDDEN_FOR_SECURITY_REASONS', 'x" or sub ^= "', 'not-a-uuid'])(
    'never takes %j for a sub, nor puts it into a ListUsers filter or a key',
    async (value) => {
      const { handler } = setup();

      const update = await handler(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: value, userPoolId: POOL }));
      const deletion = await handler(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: value, userPoolId: POOL }));

      expect([update.outcome, deletion.outcome]).toEqual(['unidentified', 'unidentified']);
      expect(cognito.calls()).toHaveLength(0);
      expect(ddb.calls()).toHaveLength(0);
    },
  );

  describe('where the sub is read from', () => {
    const deletionWithout = (patch: (detail: Record<string, unknown>) => void) => {
      const event = buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: null, userPoolId: POOL });
      patch(event.detail as Record<string, unknown>);
      return event;
    };

    it('falls back to a user name that is itself a sub when additionalEventData has none', async () => {
      ddb.on(UpdateItemCommand).resolves({});
      const { handler } = setup();

      const result = await handler(deletionWithout((detail) => (detail.requestParameters = { userPoolId: POOL, username: SUB })));

      expect(result).toMatchObject({ outcome: 'marked', sub: SUB });
      expect(updateInputs()[0]!.Key).toEqual(marshall({ userId: SUB }));
    });

    it('prefers additionalEventData.sub over a user name shaped like a sub', async () => {
      ddb.on(UpdateItemCommand).resolves({});
      const { handler } = setup();
      const other = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

      const result = await handler(
        deletionWithout((detail) => {
          detail.additionalEventData = { sub: SUB };
          detail.requestParameters = { userPoolId: POOL, username: other };
        }),
      );

      expect(result.sub).toBe(SUB);
    });

    it("falls back to the created user's sub in an AdminCreateUser response, unless redacted", async () => {
      cognito.on(ListUsersCommand).resolves(cognitoUser({ email: 'a@example.com' }));
      ddb.on(UpdateItemCommand).resolves({});
      const { handler } = setup();
      const created = (attributes: unknown) => {
        const event = buildCognitoApiCallEvent({ eventName: 'AdminCreateUser', sub: null, userPoolId: POOL });
        event.detail.responseElements = { user: { username: 'HIDDEN_DUE_TO_SECURITY_REASONS', attributes, enabled: true } };
        return event;
      };

      const readable = await handler(created([{ name: 'email', value: 'HIDDEN_DUE_TO_SECURITY_REASONS' }, { name: 'sub', value: SUB }]));
      const redacted = await handler(created('HIDDEN_DUE_TO_SECURITY_REASONS'));

      expect(readable).toMatchObject({ outcome: 'synced', sub: SUB });
      expect(redacted).toMatchObject({ outcome: 'unidentified', reason: 'no-sub' });
    });

    it('reads the userSub a SignUp returned, and names it on the line that says SignUp is not applied', async () => {
      const { handler, logger } = setup();
      // The shape of a SignUp record quoted in aws-amplify/amplify-js#10374, with the userSub
      // that SignUp returns.
      const event = buildCognitoApiCallEvent({ eventName: 'SignUp', sub: null, userPoolId: POOL });
      event.detail.requestParameters = { clientId: 'REDACTED', username: 'HIDDEN_DUE_TO_SECURITY_REASONS', password: 'HIDDEN_DUE_TO_SECURITY_REASONS' };
      event.detail.responseElements = { userConfirmed: false, userSub: SUB };

      const result = await handler(event);

      expect(result).toEqual({ outcome: 'ignored', eventName: 'SignUp', sub: SUB, reason: 'unknown-call' });
      expect(logger.records[0]!.record).toMatchObject({ sub: SUB, reason: 'unknown-call' });
    });

    it('reads no sub from a redacted user name and tells the call apart from a failed one', async () => {
      const { handler } = setup();
      const redactedName = deletionWithout((detail) => (detail.requestParameters = { userPoolId: POOL, username: 'HIDDEN_FOR_SECURITY_REASONS' }));
      const failed = buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: SUB, userPoolId: POOL, errorCode: 'NotAuthorizedException' });

      expect(await handler(redactedName)).toMatchObject({ outcome: 'unidentified', reason: 'no-sub' });
      expect(await handler(failed)).toMatchObject({ outcome: 'ignored', reason: 'call-failed', sub: SUB });
      expect(ddb.calls()).toHaveLength(0);
    });
  });

  it('rejects on a Cognito failure so that EventBridge retries', async () => {
    cognito.on(ListUsersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const { handler, logger } = setup();

    await expect(handler(buildCognitoApiCallEvent({ eventName: 'UpdateUserAttributes', sub: SUB, userPoolId: POOL }))).rejects.toMatchObject({
      name: 'CognitoReadError',
      operation: 'ListUsers',
    });
    expect(logger.records[0]!.record).toMatchObject({ outcome: 'failed', error: { name: 'CognitoReadError', cause: 'TooManyRequestsException' } });
  });

  it('rejects an event with an unreadable time, naming the field', async () => {
    const { handler } = setup();
    const event = buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: SUB, userPoolId: POOL });
    event.detail.eventTime = 'yesterday';
    event.time = 'yesterday';

    await expect(handler(event)).rejects.toMatchObject({ name: 'InvalidEventError', field: 'detail.eventTime' });
  });

  it.each([
    ['a missing pool id', { userPoolId: undefined }, 'userPoolId'],
    ['an unknown onDelete', { onDelete: 'archive' }, 'onDelete'],
    ['both a Cognito client and its config', { cognitoClientConfig: {} }, 'cognitoClient'],
  ])('rejects %s at configuration', (_label, overrides, option) => {
    expect(() => setup(overrides as never)).toThrow(ConfigurationError);
    expect(() => setup(overrides as never)).toThrow(expect.objectContaining({ option }));
  });
});
