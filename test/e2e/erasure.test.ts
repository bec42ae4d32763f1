import { AdminCreateUserCommand, AdminDeleteUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminChangeHandler, eraseFromTables, type Profile, reconcile, type UserDeletedContext } from '../../src/index.js';
import { adminChangesFromEnvironment } from '../../src/lambda/handlers.js';
import { applyEnv, type LocalStack, startLocalStack } from '../../src/local/index.js';
import { buildCognitoApiCallEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

/*
 * Erasure on the local stack: users made and deleted in cognito-local with the admin API,
 * the CloudTrail events of those calls built with the /testing builder and delivered to the
 * admin-change handler (as EventBridge would, replays and all), the erasure done by
 * `eraseFromTables` on a second dynalite table of orders.
 */
const ORDERS = 'orders';
let stack: LocalStack;
let count = 0;

beforeAll(async () => {
  stack = await startLocalStack();
  await stack.clients.dynamodb.send(
    new CreateTableCommand({
      TableName: ORDERS,
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }, { AttributeName: 'orderId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }, { AttributeName: 'orderId', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});
afterAll(async () => {
  await stack?.stop();
});

const event = (eventName: string, sub: string) => buildCognitoApiCallEvent({ eventName, sub, userPoolId: stack.userPoolId });

/** The erasure the team would deploy, counting its runs by sub and failing the first `fail` for some. */
function countedErasure(failFirst: Record<string, number> = {}) {
  const erase = eraseFromTables([{ table: ORDERS, partitionKey: 'userId', sortKey: 'orderId' }], { client: stack.clients.dynamodb });
  const runs: string[] = [];
  const onUserDeleted = async (row: Profile, context: UserDeletedContext) => {
    runs.push(context.sub);
    if ((failFirst[context.sub] ?? 0) > 0) {
      failFirst[context.sub]! -= 1;
      throw new Error('the order service is down');
    }
    return erase(row, context);
  };
  return { onUserDeleted, runs };
}

function handler(onUserDeleted: ReturnType<typeof countedErasure>['onUserDeleted']) {
  return createAdminChangeHandler({
    table: { name: stack.tableName, partitionKey: stack.partitionKey, client: stack.clients.dynamodb },
    userPoolId: stack.userPoolId,
    cognitoClient: stack.clients.cognito,
    logger: recordingLogger(),
    onUserDeleted,
  });
}

/** A member created with AdminCreateUser, their row written by the handler from that call's event, and three orders. */
async function member(name: string): Promise<{ email: string; sub: string }> {
  const email = `${name}-${++count}@erasure.example`;
  const { User } = await stack.clients.cognito.send(
    new AdminCreateUserCommand({ UserPoolId: stack.userPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }] }),
  );
  const sub = User!.Attributes!.find((attribute) => attribute.Name === 'sub')!.Value!;
  await handler(countedErasure().onUserDeleted)(event('AdminCreateUser', sub));
  for (const orderId of ['o-1', 'o-2', 'o-3']) {
    await stack.clients.dynamodb.send(new PutItemCommand({ TableName: ORDERS, Item: marshall({ userId: sub, orderId, total: 12 }) }));
  }
  return { email, sub };
}

const deleteUser = (email: string) => stack.clients.cognito.send(new AdminDeleteUserCommand({ UserPoolId: stack.userPoolId, Username: email }));

async function row(sub: string) {
  const { Item } = await stack.clients.dynamodb.send(new GetItemCommand({ TableName: stack.tableName, Key: marshall({ [stack.partitionKey]: sub }), ConsistentRead: true }));
  return Item && unmarshall(Item);
}

async function ordersOf(sub: string): Promise<string[]> {
  const { Items = [] } = await stack.clients.dynamodb.send(new ScanCommand({ TableName: ORDERS }));
  return Items.map((item) => unmarshall(item)).filter((item) => item.userId === sub).map((item) => String(item.orderId)).sort();
}

describe('erasure when a user leaves, on the local stack', () => {
  it("runs once across replayed and concurrent deletion events, erasing only that user's orders", async () => {
    // Prepare
    const [leaving, staying] = [await member('leaving'), await member('staying')];
    await deleteUser(leaving.email);
    const erasure = countedErasure();
    const apply = handler(erasure.onUserDeleted);

    // Act: two deliveries at once, then a replay
    const concurrent = await Promise.all([apply(event('AdminDeleteUser', leaving.sub)), apply(event('AdminDeleteUser', leaving.sub))]);
    const replay = await apply(event('AdminDeleteUser', leaving.sub));

    // Assess
    expect(erasure.runs).toEqual([leaving.sub]);
    expect([...concurrent, replay].map((result) => result.erasure).sort()).toEqual(['erased', 'skipped', 'skipped']);
    expect(await ordersOf(leaving.sub)).toEqual([]);
    expect(await ordersOf(staying.sub)).toEqual(['o-1', 'o-2', 'o-3']);
    expect(await row(leaving.sub)).toMatchObject({ email: leaving.email, deletedAt: expect.any(String), erasedAt: expect.any(String) });
  });

  it('runs again after a failure: the first delivery rejects, the retry erases and records', async () => {
    const leaving = await member('retried');
    await deleteUser(leaving.email);
    const erasure = countedErasure({ [leaving.sub]: 1 });
    const apply = handler(erasure.onUserDeleted);

    await expect(apply(event('AdminDeleteUser', leaving.sub))).rejects.toMatchObject({ name: 'ErasureError', sub: leaving.sub });
    const ordersAfterFailure = await ordersOf(leaving.sub);
    const retry = await apply(event('AdminDeleteUser', leaving.sub));

    expect(ordersAfterFailure).toEqual(['o-1', 'o-2', 'o-3']);
    expect(retry.erasure).toBe('erased');
    expect(erasure.runs).toEqual([leaving.sub, leaving.sub]);
    expect(await ordersOf(leaving.sub)).toEqual([]);
    expect(await row(leaving.sub)).toMatchObject({ erasedAt: expect.any(String) });
  });

  it('never runs for a user who still exists: not for a deletion event naming them, not in reconcile', async () => {
    // Prepare: a live member named by a deletion event that did not happen, and a member
    // deleted while no event reached the handler (reconcile finds their row an orphan)
    const [alive, missed] = [await member('alive'), await member('missed')];
    await deleteUser(missed.email);
    const erasure = countedErasure();

    // Act
    const forged = await handler(erasure.onUserDeleted)(event('AdminDeleteUser', alive.sub)).catch((error: unknown) => error);
    const report = await reconcile({
      userPoolId: stack.userPoolId,
      table: { name: stack.tableName, partitionKey: stack.partitionKey, client: stack.clients.dynamodb },
      cognitoClient: stack.clients.cognito,
      orphans: 'mark',
      onUserDeleted: erasure.onUserDeleted,
    });

    // Assess
    expect(forged).toMatchObject({ name: 'ErasureError', message: expect.stringContaining('still exists') });
    expect(erasure.runs).toEqual([missed.sub]);
    expect(report.erasures).toEqual({ erased: 1, failed: 0, pending: 0 });
    expect(await ordersOf(alive.sub)).toEqual(['o-1', 'o-2', 'o-3']);
    expect(await row(alive.sub)).not.toHaveProperty('deletedAt');
    expect(await ordersOf(missed.sub)).toEqual([]);
    expect(await row(missed.sub)).toMatchObject({ deletedAt: expect.any(String), erasedAt: expect.any(String) });
  });

  it('the ready admin-changes handler erases from the tables ERASE_TABLES names, with its own clients', async () => {
    // Prepare: the environment the ProfileSync construct sets; clients built with `{}` find
    // the local servers through the stack's AWS_ENDPOINT_URL_* variables
    const [leaving, staying] = [await member('ready'), await member('ready-staying')];
    await deleteUser(leaving.email);
    const restore = applyEnv(stack.env);
    try {
      const apply = adminChangesFromEnvironment({
        TABLE_NAME: stack.tableName,
        PARTITION_KEY: stack.partitionKey,
        USER_POOL_ID: stack.userPoolId,
        ERASE_TABLES: JSON.stringify([{ table: ORDERS, partitionKey: 'userId', sortKey: 'orderId' }]),
      });

      // Act
      const results = [await apply(event('AdminDeleteUser', leaving.sub)), await apply(event('AdminDeleteUser', leaving.sub))];

      // Assess
      expect(results.map((result) => result.erasure)).toEqual(['erased', 'skipped']);
    } finally {
      restore();
    }
    expect(await ordersOf(leaving.sub)).toEqual([]);
    expect(await ordersOf(staying.sub)).toEqual(['o-1', 'o-2', 'o-3']);
  });
});
