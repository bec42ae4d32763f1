import { CognitoIdentityProviderClient, ListUsersCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAdminChangeHandler, ErasureAttribute, type Profile, reconcile, type ReconcileOptions, type UserDeletedContext } from '../../src/index.js';
import { buildCognitoApiCallEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { serveUsers } from '../support/listUsers.js';
import { recordingLogger } from '../support/logger.js';

/*
 * Reconcile's erasure against a real dynalite, Cognito mocked with the users that exist
 * (ListUsers honours the look-up filter): orphans it marks or deletes, and erasures an
 * earlier delivery left pending.
 */
const POOL = 'eu-west-1_Erase456';
const OLD = '2000-01-01T00:00:00.000Z';
let dynamo: TestDynamo;
let table: string;
let tables = 0;
const cognitoClient = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const cognito = mockClient(cognitoClient);

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});
beforeEach(async () => {
  cognito.reset();
  table = `reconcile-erasure-${++tables}`;
  await dynamo.createTable(table);
});

const cognitoUser = (sub: string): UserType => ({
  Username: sub,
  UserStatus: 'CONFIRMED',
  Enabled: true,
  UserCreateDate: new Date(OLD),
  Attributes: [{ Name: 'sub', Value: sub }, { Name: 'email', Value: `${sub.slice(0, 8)}@example.com` }],
});
const member = (sub: string, extra: Profile = {}) => ({ userId: sub, email: 'grace@example.com', userPoolId: POOL, createdAt: OLD, ...extra });
const putRow = (row: Profile) => dynamo.client.send(new PutItemCommand({ TableName: table, Item: marshall(row) }));
const row = (sub: string) => dynamo.getItem(table, { userId: sub });

/** An `onUserDeleted` that records who it ran for and why, failing for the subs in `failFor`. */
function erasure(failFor: string[] = []) {
  const calls: { sub: string; reason: string; email: unknown }[] = [];
  const onUserDeleted = async (row: Profile, { sub, reason }: UserDeletedContext) => {
    calls.push({ sub, reason, email: row.email });
    if (failFor.includes(sub)) throw new Error('CRM down');
  };
  return { onUserDeleted, calls };
}

const options = (extra: Partial<ReconcileOptions>): ReconcileOptions =>
  ({ userPoolId: POOL, table: { name: table, client: dynamo.client }, cognitoClient, backoff: { attempts: 2, baseMs: 1, maxMs: 2 }, partitionBySub: false, ...extra }) as ReconcileOptions;

describe('reconcile with onUserDeleted', () => {
  it.each(['mark', 'delete'] as const)("erases the orphans it resolves once (orphans: '%s'), and never a user who exists", async (orphans) => {
    // Prepare: one user listed, one unlisted but found by the look-up, one gone
    const [listed, late, gone] = [randomUUID(), randomUUID(), randomUUID()];
    serveUsers(cognito, [cognitoUser(listed), cognitoUser(late)]);
    for (const sub of [listed, late, gone]) await putRow(member(sub));
    cognito.on(ListUsersCommand, { Filter: undefined }).resolves({ Users: [cognitoUser(listed)] });
    const work = erasure();

    // Act: two runs
    const first = await reconcile(options({ orphans, onUserDeleted: work.onUserDeleted }));
    const lookUps = () => cognito.commandCalls(ListUsersCommand).flatMap((call) => call.args[0].input.Filter ?? []);
    const lookedUp = lookUps();
    const second = await reconcile(options({ orphans, onUserDeleted: work.onUserDeleted }));
    const lookedUpAgain = lookUps().slice(lookedUp.length);

    // Assess
    expect(work.calls).toEqual([{ sub: gone, reason: 'orphan', email: 'grace@example.com' }]);
    expect(lookedUp.sort()).toEqual([`sub = "${gone}"`, `sub = "${late}"`].sort());
    // A row whose erasure is recorded is not even looked up again
    expect(lookedUpAgain).toEqual([`sub = "${late}"`]);
    expect(first).toMatchObject({ orphans: 1, orphansResolved: 1, erasures: { erased: 1, failed: 0, pending: 0 }, errors: 0 });
    expect(second).toMatchObject({ orphans: 0, erasures: { erased: 0, failed: 0, pending: 0 } });
    const after = await row(gone);
    if (orphans === 'mark') expect(after).toEqual({ ...member(gone), deletedAt: expect.any(String), updatedAt: expect.any(String), erasedAt: expect.any(String) });
    // The tombstone stays, holding the record that the erasure is done
    else expect(after).toEqual({ userId: gone, deletedAt: expect.any(String), updatedAt: expect.any(String), erasedAt: expect.any(String) });
    for (const sub of [listed, late]) expect(await row(sub)).not.toHaveProperty('deletedAt');
  });

  it("without onUserDeleted, 'delete' removes the orphan row outright", async () => {
    const gone = randomUUID();
    serveUsers(cognito, []);
    await putRow(member(gone));

    await reconcile(options({ orphans: 'delete' }));

    expect(await row(gone)).toBeUndefined();
  });

  it('finishes erasures left pending, whatever `orphans` says, once the user is confirmed gone', async () => {
    // Prepare: rows the admin-change handler marked, whose erasure failed (one with
    // onDelete: 'delete', to be stripped once erased), whose process died mid-way (a lapsed
    // claim), or is under way now (a live claim); and one marked row whose user is listed
    const [failed, failedDelete, lapsed, live, listed] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const marked = { deletedAt: '2026-04-01T00:00:00.000Z' };
    await putRow(member(failed, { ...marked, [ErasureAttribute.FailedAt]: '2026-04-01T00:00:01.000Z' }));
    await putRow(member(failedDelete, { ...marked, [ErasureAttribute.FailedAt]: '2026-04-01T00:00:01.000Z', [ErasureAttribute.TombstoneAfter]: true }));
    await putRow(member(lapsed, { ...marked, [ErasureAttribute.ClaimId]: 'died', [ErasureAttribute.ClaimExpiresAt]: Date.now() - 1000 }));
    await putRow(member(live, { ...marked, [ErasureAttribute.ClaimId]: 'busy', [ErasureAttribute.ClaimExpiresAt]: Date.now() + 60_000 }));
    await putRow(member(listed, { ...marked, [ErasureAttribute.FailedAt]: '2026-04-01T00:00:01.000Z' }));
    serveUsers(cognito, [cognitoUser(listed)]);
    const work = erasure();

    // Act
    const report = await reconcile(options({ orphans: 'report', onUserDeleted: work.onUserDeleted }));

    // Assess
    expect(work.calls.map((call) => [call.sub, call.reason]).sort()).toEqual([[failed, 'pending'], [failedDelete, 'pending'], [lapsed, 'pending']].sort());
    expect(report).toMatchObject({ orphans: 0, erasures: { erased: 3, failed: 0, pending: 0 }, errors: 0 });
    expect(await row(failed)).toMatchObject({ email: 'grace@example.com', erasedAt: expect.any(String) });
    expect(await row(failedDelete)).toEqual({ userId: failedDelete, ...marked, erasedAt: expect.any(String) });
    expect(await row(live)).not.toHaveProperty('erasedAt');
    expect(await row(listed)).not.toHaveProperty('erasedAt');
  });

  it('counts a failed erasure as an error and runs it again on the next run', async () => {
    const gone = randomUUID();
    serveUsers(cognito, []);
    await putRow(member(gone));
    const failing = erasure([gone]);
    const working = erasure();

    const first = await reconcile(options({ orphans: 'mark', onUserDeleted: failing.onUserDeleted }));
    const second = await reconcile(options({ orphans: 'mark', onUserDeleted: working.onUserDeleted }));

    expect(first).toMatchObject({ orphans: 1, orphansResolved: 0, erasures: { erased: 0, failed: 1 }, errors: 1, ids: { errors: [{ sub: gone, error: 'ErasureError' }] } });
    expect(second).toMatchObject({ orphans: 0, erasures: { erased: 1, failed: 0 }, errors: 0 });
    expect(working.calls).toEqual([{ sub: gone, reason: 'pending', email: 'grace@example.com' }]);
  });

  it('erases users deleted before onUserDeleted existed only when eraseUsersDeletedAfter says so', async () => {
    const [before, after] = [randomUUID(), randomUUID()];
    serveUsers(cognito, []);
    await putRow(member(before, { deletedAt: '2026-01-01T00:00:00.000Z' }));
    await putRow(member(after, { deletedAt: '2026-03-01T00:00:00.000Z' }));
    const without = erasure();
    const withDate = erasure();

    await reconcile(options({ onUserDeleted: without.onUserDeleted }));
    await reconcile(options({ onUserDeleted: withDate.onUserDeleted, eraseUsersDeletedAfter: new Date('2026-02-01T00:00:00Z') }));

    expect(without.calls).toEqual([]);
    expect(withDate.calls.map((call) => call.sub)).toEqual([after]);
  });

  it('counts erasures a dry run would do, and does none', async () => {
    const [pending, orphan] = [randomUUID(), randomUUID()];
    serveUsers(cognito, []);
    await putRow(member(pending, { deletedAt: OLD, [ErasureAttribute.FailedAt]: OLD }));
    await putRow(member(orphan));
    const work = erasure();

    const report = await reconcile(options({ orphans: 'mark', dryRun: true, onUserDeleted: work.onUserDeleted }));

    expect(report).toMatchObject({ orphans: 1, erasures: { erased: 0, failed: 0, pending: 2 } });
    expect(work.calls).toEqual([]);
    expect(await row(orphan)).toEqual(member(orphan));
  });

  it("finishes what the admin-change handler's failed erasure left, end to end on one table", async () => {
    // Prepare: the handler's erasure fails; EventBridge's retries are used up
    const sub = randomUUID();
    await putRow(member(sub));
    serveUsers(cognito, []);
    const handler = createAdminChangeHandler({
      table: { name: table, client: dynamo.client },
      userPoolId: POOL,
      cognitoClient,
      logger: recordingLogger(),
      onDelete: 'delete',
      onUserDeleted: erasure([sub]).onUserDeleted,
    });
    await expect(handler(buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub, userPoolId: POOL }))).rejects.toMatchObject({ name: 'ErasureError' });
    const work = erasure();

    // Act
    const report = await reconcile(options({ onUserDeleted: work.onUserDeleted }));

    // Assess: erased from the last row, then stripped as onDelete: 'delete' asked
    expect(report.erasures.erased).toBe(1);
    expect(work.calls).toEqual([{ sub, reason: 'pending', email: 'grace@example.com' }]);
    expect(Object.keys((await row(sub))!).sort()).toEqual(['deletedAt', 'erasedAt', 'updatedAt', 'userId']);
  });
});
