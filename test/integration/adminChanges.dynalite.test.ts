import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminChangeHandler } from '../../src/index.js';
import { buildCognitoApiCallEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';

// Cognito is mocked here (the order of events is the point); the local-stack end-to-end
// tests drive the same handler against cognito-local.
const cognito = mockClient(CognitoIdentityProviderClient);
const POOL = 'us-east-1_Pool999';
const TABLE = 'admin-profiles';
let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(TABLE);
});
afterAll(async () => {
  cognito.restore();
  await dynamo?.stop();
});

const userWith = (sub: string, email: string) => ({
  Users: [{ Username: sub, Enabled: true, Attributes: [{ Name: 'sub', Value: sub }, { Name: 'email', Value: email }] }],
});

describe('admin changes against dynalite', () => {
  const handler = () =>
    createAdminChangeHandler({
      table: { name: TABLE, client: dynamo.client },
      userPoolId: POOL,
      cognitoClient: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
      logger: recordingLogger(),
    });

  it('applies events in any order without rolling back, and replays change nothing', async () => {
    // Prepare
    const sub = 'a1a1a1a1-0000-0000-0000-000000000001';
    const apply = handler();
    const newer = buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub, userPoolId: POOL, eventTime: '2026-05-01T10:00:05Z' });
    const older = buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub, userPoolId: POOL, eventTime: '2026-05-01T10:00:01Z' });

    // Act: the newer event arrives first, then the late older one
    cognito.on(ListUsersCommand).resolves(userWith(sub, 'second@example.com'));
    const first = await apply(newer);
    const afterNewer = await dynamo.getItem(TABLE, { userId: sub });
    const late = await apply(older);
    const replay = await apply(newer);

    // Assess
    expect(first.outcome).toBe('synced');
    expect(afterNewer).toMatchObject({ email: 'second@example.com', cognitoEventAt: '2026-05-01T10:00:05.000Z', enabled: true });
    expect(late.outcome).toBe('stale');
    expect(replay.outcome).toBe('synced');
    expect(await dynamo.getItem(TABLE, { userId: sub })).toMatchObject({ cognitoEventAt: '2026-05-01T10:00:05.000Z' });
  });

  it('marks a deleted user and a late update for the gone user writes nothing', async () => {
    const sub = 'a1a1a1a1-0000-0000-0000-000000000002';
    const apply = handler();
    cognito.on(ListUsersCommand).resolves(userWith(sub, 'x@example.com'));
    await apply(buildCognitoApiCallEvent({ eventName: 'AdminCreateUser', sub, userPoolId: POOL, eventTime: '2026-05-01T09:00:00Z' }));

    const deleted = await apply(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub, userPoolId: POOL, eventTime: '2026-05-01T11:00:00Z' }));
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const late = await apply(buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub, userPoolId: POOL, eventTime: '2026-05-01T10:00:00Z' }));

    expect(deleted.outcome).toBe('marked');
    expect(late.outcome).toBe('user-gone');
    expect(await dynamo.getItem(TABLE, { userId: sub })).toMatchObject({ deletedAt: '2026-05-01T11:00:00.000Z', email: 'x@example.com' });
  });

  it('does not create a row just to mark a deletion', async () => {
    const sub = 'a1a1a1a1-0000-0000-0000-000000000003';

    const result = await handler()(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub, userPoolId: POOL }));

    expect(result.outcome).toBe('stale');
    expect(await dynamo.getItem(TABLE, { userId: sub })).toBeUndefined();
  });
});
