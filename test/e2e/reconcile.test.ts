import { AdminCreateUserCommand, AdminDeleteUserCommand, AdminUpdateUserAttributesCommand } from '@aws-sdk/client-cognito-identity-provider';
import { type AttributeValue, DeleteItemCommand, DynamoDBClient, GetItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostConfirmationHandler, defaultProfile, reconcile } from '../../src/index.js';
import { startLocalStack, type LocalStack } from '../../src/local/index.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';

/*
 * Reconcile against cognito-local and dynalite: users made with AdminCreateUser fire no
 * trigger, so only reconcile can give them rows.
 */
const USERS = 500;
let stack: LocalStack;
const quiet = { info() {}, warn() {}, error() {} };

async function createUsers(count: number, prefix: string): Promise<void> {
  const names = Array.from({ length: count }, (_, index) => `${prefix}-${index}@reconcile.example`);
  for (let start = 0; start < names.length; start += 25) {
    await Promise.all(
      names.slice(start, start + 25).map((email) =>
        stack.clients.cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: stack.userPoolId,
            Username: email,
            MessageAction: 'SUPPRESS',
            UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }],
          }),
        ),
      ),
    );
  }
}

async function rows(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await stack.clients.dynamodb.send(new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return items;
}

async function row(sub: string) {
  const { Item } = await stack.clients.dynamodb.send(new GetItemCommand({ TableName: stack.tableName, Key: marshall({ userId: sub }), ConsistentRead: true }));
  return Item && unmarshall(Item);
}

/** A DynamoDB client of the stack's that runs `before` ahead of each `operation` it sends. */
function clientRunningBefore(operation: string, before: (input: unknown) => Promise<void>): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint: stack.endpoints.dynamodb, region: stack.region, credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID, secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY } });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === `${operation}Command`) await before(args.input);
      return next(args);
    },
    { step: 'initialize', name: 'runBefore' },
  );
  return client;
}

const options = () => ({
  userPoolId: stack.userPoolId,
  table: { name: stack.tableName, client: stack.clients.dynamodb },
  cognitoClient: stack.clients.cognito,
});

beforeAll(async () => {
  stack = await startLocalStack();
  await createUsers(USERS, 'backfill');
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('reconcile on the local stack', () => {
  let subs: string[];

  it('a dry run reports every user to create and writes nothing', async () => {
    const report = await reconcile({ ...options(), dryRun: true });

    expect(report).toMatchObject({ dryRun: true, complete: true, scanned: USERS, created: USERS, updated: 0, unchanged: 0, errors: 0 });
    expect(report.ids.created).toHaveLength(100); // capped at maxIds
    expect(await rows()).toHaveLength(0);
  });

  it('a run creates the rows; a second run changes nothing', async () => {
    const first = await reconcile(options());
    const all = await rows();
    subs = all.map((item) => String(item.userId));

    expect(first).toMatchObject({ complete: true, scanned: USERS, created: USERS, updated: 0, errors: 0, orphans: 0, orphansChecked: true });
    expect(all).toHaveLength(USERS);
    expect(all[0]).toMatchObject({ userPoolId: stack.userPoolId, emailVerified: true, email: expect.stringMatching(/@reconcile\.example$/) });
    expect(all.some((item) => 'welcomeClaimId' in item)).toBe(false); // no welcome for backfilled users

    const second = await reconcile(options());
    expect(second).toMatchObject({ scanned: USERS, created: 0, updated: 0, unchanged: USERS, errors: 0, orphans: 0 });
  }, 60_000);

  it("repairs a drifted attribute and leaves the team's own fields alone", async () => {
    const sub = subs[0]!;
    const before = await row(sub);
    await stack.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: stack.tableName,
        Key: marshall({ userId: sub }),
        UpdateExpression: 'SET email = :stale, #plan = :plan',
        ExpressionAttributeNames: { '#plan': 'plan' },
        ExpressionAttributeValues: marshall({ ':stale': 'stale@reconcile.example', ':plan': 'gold' }),
      }),
    );

    const report = await reconcile(options());

    expect(report).toMatchObject({ updated: 1, unchanged: USERS - 1, ids: { updated: [sub] } });
    expect(await row(sub)).toMatchObject({ email: before!.email, plan: 'gold', createdAt: before!.createdAt });
  }, 60_000);

  it('reports a row whose user was deleted as an orphan, and marks it when asked', async () => {
    const victim = (await rows()).find((item) => item.userId === subs[1])!;
    await stack.clients.cognito.send(new AdminDeleteUserCommand({ UserPoolId: stack.userPoolId, Username: String(victim.username) }));

    const reported = await reconcile(options());
    expect(reported).toMatchObject({ scanned: USERS - 1, orphans: 1, orphansResolved: 0, ids: { orphans: [subs[1]] } });
    expect((await row(subs[1]!))?.deletedAt).toBeUndefined();

    const marked = await reconcile({ ...options(), orphans: 'mark' });
    expect(marked).toMatchObject({ orphans: 1, orphansResolved: 1 });
    expect((await row(subs[1]!))?.deletedAt).toEqual(expect.any(String));

    // A marked row is settled: the next run does not count it again.
    expect(await reconcile(options())).toMatchObject({ orphans: 0 });
  }, 60_000);

  it('never overwrites a row the trigger writes while the run is looking', async () => {
    // Prepare: a new user without a row. Just before reconcile's create goes out (after its
    // batch read found no row), the user's PostConfirmation runs to completion.
    await createUsers(1, 'racer');
    const trigger = createPostConfirmationHandler({
      table: { name: stack.tableName, client: stack.clients.dynamodb },
      mapAttributes: (attributes, context) => ({ ...defaultProfile(attributes, context), source: 'trigger' }),
      logger: quiet,
    });
    const client = clientRunningBefore('PutItem', async (input) => {
      const item = unmarshall((input as { Item: Record<string, AttributeValue> }).Item);
      if (!String(item.email).startsWith('racer-')) return;
      const event = buildPostConfirmationEvent({ sub: String(item.userId), userName: String(item.username), userPoolId: stack.userPoolId, userAttributes: { email: String(item.email) } });
      await trigger(event, buildLambdaContext());
    });

    // Act
    const report = await reconcile({
      ...options(),
      table: { name: stack.tableName, client },
      mapAttributes: (attributes, context) => ({ ...defaultProfile(attributes, context), source: 'reconcile' }),
    });

    // Assess
    const racer = (await rows()).find((item) => String(item.email).startsWith('racer-'))!;
    expect(racer.source).toBe('trigger');
    expect(report).toMatchObject({ errors: 0, created: 0 });
    expect(report.ids.created).not.toContain(racer.userId);
  }, 60_000);

  it('does not bring back a row deleted while the run repairs it', async () => {
    // Prepare: a drifted row, deleted just before reconcile's repair goes out
    const sub = subs[3]!;
    await stack.clients.dynamodb.send(
      new UpdateItemCommand({ TableName: stack.tableName, Key: marshall({ userId: sub }), UpdateExpression: 'SET email = :stale', ExpressionAttributeValues: marshall({ ':stale': 'stale@reconcile.example' }) }),
    );
    const client = clientRunningBefore('UpdateItem', async (input) => {
      const key = unmarshall((input as { Key: Record<string, AttributeValue> }).Key);
      if (key.userId === sub) await stack.clients.dynamodb.send(new DeleteItemCommand({ TableName: stack.tableName, Key: marshall({ userId: sub }) }));
    });

    // Act
    const report = await reconcile({ ...options(), table: { name: stack.tableName, client } });

    // Assess
    expect(report).toMatchObject({ updated: 0, errors: 0 });
    expect(await row(sub)).toBeUndefined();
  }, 60_000);

  it('sends a welcome the trigger left pending, once', async () => {
    // Prepare: a row whose trigger claimed the welcome and whose sender threw (claim given up)
    const sub = subs[2]!;
    await stack.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: stack.tableName,
        Key: marshall({ userId: sub }),
        UpdateExpression: 'SET welcomeFailedAt = :failedAt',
        ExpressionAttributeValues: marshall({ ':failedAt': new Date(Date.now() - 1000).toISOString() }),
      }),
    );
    const sent: string[] = [];
    const onWelcome = async (profile: Record<string, unknown>) => void sent.push(String(profile.userId));

    const dry = await reconcile({ ...options(), onWelcome, dryRun: true });
    const first = await reconcile({ ...options(), onWelcome });
    const second = await reconcile({ ...options(), onWelcome });

    expect(dry.welcomes).toEqual({ sent: 0, failed: 0, pending: 1, unknown: 0 });
    expect(first.welcomes).toEqual({ sent: 1, failed: 0, pending: 0, unknown: 0 });
    expect(second.welcomes).toEqual({ sent: 0, failed: 0, pending: 0, unknown: 0 });
    expect(sent).toEqual([sub]);
    expect(await row(sub)).toMatchObject({ welcomeSentAt: expect.any(String) });
  }, 60_000);

  it('sees an attribute edited in Cognito', async () => {
    const target = (await rows()).find((item) => item.userId === subs[4])!;
    await stack.clients.cognito.send(
      new AdminUpdateUserAttributesCommand({ UserPoolId: stack.userPoolId, Username: String(target.username), UserAttributes: [{ Name: 'name', Value: 'Renamed Member' }] }),
    );

    const report = await reconcile(options());

    expect(report.ids.updated).toContain(subs[4]);
    expect(await row(subs[4]!)).toMatchObject({ name: 'Renamed Member' });
  }, 60_000);
});
