import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DeleteItemCommand, DynamoDBClient, ConditionalCheckFailedException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_CHANGE_EVENT_NAMES, ConfigurationError, createAdminChangeHandler, type AdminChangeOptions } from '../../src/index.js';
import { buildCognitoApiCallEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

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

const cognitoUser = (attributes: Record<string, string>, enabled = true) => ({
  Users: [
    {
      Username: 'ana',
      Enabled: enabled,
      UserStatus: 'CONFIRMED' as const,
      Attributes: Object.entries({ sub: SUB, ...attributes }).map(([Name, Value]) => ({ Name, Value })),
    },
  ],
});

describe('createAdminChangeHandler', () => {
  afterEach(() => {
    ddb.reset();
    cognito.reset();
  });

  it('reads the current user by sub and writes the mapped fields, guarded by the event time', async () => {
    // Prepare
    cognito.on(ListUsersCommand).resolves(cognitoUser({ email: 'changed@example.com', email_verified: 'false' }));
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB }) });
    const { handler, logger } = setup();
    const event = buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: SUB, userPoolId: POOL, eventTime: '2026-03-04T05:06:07Z' });

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual({ outcome: 'synced', eventName: 'AdminUpdateUserAttributes', sub: SUB });
    expect(cognito.commandCalls(ListUsersCommand)[0]!.args[0].input).toEqual({ UserPoolId: POOL, Filter: `sub = "${SUB}"`, Limit: 1 });
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('(attribute_not_exists(#version) OR #version <= :version)');
    expect(input.ExpressionAttributeNames!['#version']).toBe('cognitoEventAt');
    const values = unmarshall(input.ExpressionAttributeValues!);
    expect(values[':version']).toBe('2026-03-04T05:06:07.000Z');
    expect(Object.values(values)).toEqual(expect.arrayContaining(['changed@example.com', false, true]));
    expect(logger.records[0]!.record).toMatchObject({ eventName: 'AdminUpdateUserAttributes', outcome: 'synced', sub: SUB });
    expect(logger.text()).not.toContain('changed@example.com');
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

  it('reports an older event arriving after a newer one as stale, writing nothing new', async () => {
    cognito.on(ListUsersCommand).resolves(cognitoUser({ email: 'a@example.com' }));
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    const { handler } = setup();

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'AdminEnableUser', sub: SUB, userPoolId: POOL }));

    expect(result.outcome).toBe('stale');
  });

  it('writes the enabled flag from Cognito for disable and enable', async () => {
    cognito.on(ListUsersCommand).resolves(cognitoUser({}, false));
    ddb.on(UpdateItemCommand).resolves({});
    const { handler } = setup();

    await handler(buildCognitoApiCallEvent({ eventName: 'AdminDisableUser', sub: SUB, userPoolId: POOL }));

    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    const field = Object.entries(input.ExpressionAttributeNames!).find(([, name]) => name === 'enabled')![0];
    expect(unmarshall(input.ExpressionAttributeValues!)[field.replace('#', ':')]).toBe(false);
  });

  it('marks the row deleted by default, only if it exists', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ userId: SUB }) });
    const { handler } = setup();

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: SUB, userPoolId: POOL, eventTime: '2026-03-04T05:06:07Z' }));

    expect(result.outcome).toBe('marked');
    expect(cognito.calls()).toHaveLength(0);
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_exists(#pk) AND (attribute_not_exists(#version) OR #version <= :version)');
    expect(Object.values(unmarshall(input.ExpressionAttributeValues!))).toContain('2026-03-04T05:06:07.000Z');
  });

  it("deletes the row with onDelete: 'delete'", async () => {
    ddb.on(DeleteItemCommand).resolves({});
    const { handler } = setup({ onDelete: 'delete' });

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'DeleteUser', sub: SUB, userPoolId: POOL }));

    expect(result.outcome).toBe('deleted');
    expect(ddb.commandCalls(DeleteItemCommand)[0]!.args[0].input).toEqual({ TableName: 'profiles', Key: marshall({ userId: SUB }) });
  });

  it('writes nothing when the user is gone from Cognito', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const { handler } = setup();

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: SUB, userPoolId: POOL }));

    expect(result.outcome).toBe('user-gone');
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each([
    ['an unknown event name', { eventName: 'AdminSetUserMFAPreference' }],
    ['another pool', { eventName: 'AdminUpdateUserAttributes', userPoolId: 'eu-west-1_Other' }],
    ['a call that failed', { eventName: 'AdminUpdateUserAttributes', errorCode: 'UserNotFoundException' }],
  ])('ignores %s without throwing or writing', async (_label, overrides) => {
    const { handler, logger } = setup();

    const result = await handler(buildCognitoApiCallEvent({ sub: SUB, userPoolId: POOL, ...overrides }));

    expect(result.outcome).toBe('ignored');
    expect(ddb.calls()).toHaveLength(0);
    expect(cognito.calls()).toHaveLength(0);
    expect(logger.records[0]!.record).toMatchObject({ outcome: 'ignored' });
  });

  it('skips an event that does not say which user, never guessing', async () => {
    const { handler } = setup();

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: null, userPoolId: POOL }));

    expect(result.outcome).toBe('unidentified');
    expect(cognito.calls()).toHaveLength(0);
  });

  it('never puts a sub with quotes into the ListUsers filter', async () => {
    const { handler } = setup();

    const result = await handler(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: 'x" or sub ^= "', userPoolId: POOL }));

    expect(result.outcome).toBe('user-gone');
    expect(cognito.calls()).toHaveLength(0);
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
