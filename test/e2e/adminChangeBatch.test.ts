import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminChangeBatchHandler } from '../../src/index.js';
import { type LocalStack, startLocalStack } from '../../src/local/index.js';
import { buildCognitoApiCallEvent, buildKinesisStreamEvent, buildSqsEvent } from '../../src/testing/index.js';
import { recordingLogger } from '../support/logger.js';

/*
 * The batch handler against cognito-local and dynalite: real users changed with the admin
 * API, the CloudTrail events of those changes delivered as Kinesis and SQS batches. The
 * handler's own Cognito client counts the ListUsers calls it makes.
 */
let stack: LocalStack;
let count = 0;

beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A Cognito client of the handler's own, counting its ListUsers calls. */
function countingCognito() {
  const client = new CognitoIdentityProviderClient({
    endpoint: stack.endpoints.cognito,
    region: stack.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const reads = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ListUsersCommand') reads.count += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countReads' },
  );
  return { client, reads };
}

async function createUser(name: string): Promise<{ email: string; sub: string }> {
  const email = `${name}-${++count}@batch.example`;
  const { User } = await stack.clients.cognito.send(
    new AdminCreateUserCommand({ UserPoolId: stack.userPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'name', Value: 'First' }] }),
  );
  const sub = User?.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
  if (!sub) throw new Error('AdminCreateUser returned no sub');
  return { email, sub };
}

const rename = (email: string, name: string) =>
  stack.clients.cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: stack.userPoolId, Username: email, UserAttributes: [{ Name: 'name', Value: name }] }));
const event = (eventName: string, sub: string) => buildCognitoApiCallEvent({ eventName, sub, userPoolId: stack.userPoolId });

async function row(sub: string) {
  const { Item } = await stack.clients.dynamodb.send(new GetItemCommand({ TableName: stack.tableName, Key: { [stack.partitionKey]: { S: sub } }, ConsistentRead: true }));
  return Item ? unmarshall(Item) : undefined;
}

function handler() {
  const cognito = countingCognito();
  const logger = recordingLogger();
  const apply = createAdminChangeBatchHandler({
    table: { name: stack.tableName, partitionKey: stack.partitionKey, client: stack.clients.dynamodb },
    userPoolId: stack.userPoolId,
    cognitoClient: cognito.client,
    logger,
  });
  return { apply, reads: cognito.reads, logger };
}

describe('admin-change batches on the local stack', () => {
  it('a Kinesis batch of every change to four users: four reads, each row the user’s current state', async () => {
    // Prepare: each user renamed three times, one also disabled; the events arrive out of order, twice over
    const users = await Promise.all(['ada', 'grace', 'edsger', 'barbara'].map(createUser));
    const events = [];
    for (const { email, sub } of users) {
      for (const name of ['Second', 'Third', `Last ${sub.slice(0, 4)}`]) {
        await rename(email, name);
        events.push(event('AdminUpdateUserAttributes', sub));
      }
    }
    await stack.clients.cognito.send(new AdminDisableUserCommand({ UserPoolId: stack.userPoolId, Username: users[1]!.email }));
    events.push(event('AdminDisableUser', users[1]!.sub));
    const { apply, reads } = handler();

    // Act
    const result = await apply(buildKinesisStreamEvent({ events: [...events].reverse().concat(events) }));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(reads.count).toBe(4);
    for (const [index, { email, sub }] of users.entries()) {
      expect(await row(sub)).toMatchObject({ email, name: `Last ${sub.slice(0, 4)}`, enabled: index !== 1, cognitoVersion: expect.any(String) });
    }
  });

  it('an SQS batch in which a user is updated then deleted: the deletion wins, with no read for that user', async () => {
    // Prepare
    const [gone, kept] = await Promise.all(['alan', 'frances'].map(createUser));
    await rename(kept!.email, 'Renamed');
    await rename(gone!.email, 'Renamed');
    await stack.clients.cognito.send(new AdminDeleteUserCommand({ UserPoolId: stack.userPoolId, Username: gone!.email }));
    const { apply, reads, logger } = handler();
    const batch = buildSqsEvent({
      queueArn: `arn:aws:sqs:${stack.region}:123456789012:admin-changes.fifo`,
      events: [event('AdminUpdateUserAttributes', gone!.sub), event('AdminUpdateUserAttributes', kept!.sub), event('AdminDeleteUser', gone!.sub)],
    });

    // Act
    const result = await apply(batch);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(reads.count).toBe(1);
    expect(await row(kept!.sub)).toMatchObject({ name: 'Renamed' });
    expect(await row(gone!.sub)).toEqual({ [stack.partitionKey]: gone!.sub, deletedAt: expect.any(String), updatedAt: expect.any(String) });
    expect(logger.records.map(({ record }) => record.outcome)).toEqual(expect.arrayContaining(['marked', 'synced']));
  });
});
