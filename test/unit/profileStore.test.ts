import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isProfileReadError, isProfileWriteError } from '../../src/errors.js';
import { getControlItem, putControlItem } from '../../src/store/controlItem.js';
import { getProfiles, scanProfileKeys } from '../../src/store/profileReads.js';
import {
  claimWelcome,
  createProfile,
  deleteProfile,
  markWelcomeSent,
  releaseWelcomeClaim,
  updateProfileFields,
} from '../../src/store/profileStore.js';
import { keyOf } from '../../src/store/send.js';
import { resolveTable } from '../../src/store/table.js';

// Every command the store sends, asserted input by input: these expressions are where the
// library's guarantees are enforced, so a changed condition must fail a test here.

const ddb = mockClient(DynamoDBClient);
const table = resolveTable({ name: 'profiles', partitionKey: 'id', client: new DynamoDBClient({ region: 'us-east-1' }) });
const SUB = '11111111-2222-3333-4444-555555555555';
const signal = new AbortController().signal;
const noRetry = { attempts: 1, baseMs: 0, maxMs: 0 };
const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const inputOf = <T>(command: new (...args: never[]) => T) => ddb.commandCalls(command as never)[0]!.args[0].input as Record<string, unknown>;

afterEach(() => ddb.reset());

describe('createProfile', () => {
  it('puts the item only where no row has the key', async () => {
    ddb.on(PutItemCommand).resolves({});
    const outcome = await createProfile(table, { id: SUB, email: 'a@example.com' }, undefined, signal);
    expect(outcome).toBe('created');
    expect(inputOf(PutItemCommand)).toEqual({
      TableName: 'profiles',
      Item: marshall({ id: SUB, email: 'a@example.com' }),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'id' },
    });
  });

  it('writes the welcome claim with the row when given one', async () => {
    ddb.on(PutItemCommand).resolves({});
    await createProfile(table, { id: SUB }, { id: 'claim-1', expiresAt: 1234 }, signal);
    expect(inputOf(PutItemCommand).Item).toEqual(marshall({ id: SUB, welcomeClaimId: 'claim-1', welcomeClaimExpiresAt: 1234 }));
  });

  it('reports `exists` when the condition fails, and wraps any other failure', async () => {
    ddb.on(PutItemCommand).rejectsOnce(ccf()).rejectsOnce(new Error('boom'));
    expect(await createProfile(table, { id: SUB }, undefined, signal)).toBe('exists');
    const error = await createProfile(table, { id: SUB }, undefined, signal).catch((caught: unknown) => caught);
    expect(isProfileWriteError(error) && error.operation === 'createProfile' && error.table === 'profiles').toBe(true);
  });
});

describe('the welcome claim', () => {
  const names = {
    '#pk': 'id',
    '#sentAt': 'welcomeSentAt',
    '#claimId': 'welcomeClaimId',
    '#expiresAt': 'welcomeClaimExpiresAt',
    '#failedAt': 'welcomeFailedAt',
  };

  it("at most once: claims only an existing row with no sent marker and no claim (none, or failed)", async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expect(await claimWelcome(table, SUB, { id: 'c', expiresAt: 2000 }, 1000, false, signal)).toBe(true);
    expect(inputOf(UpdateItemCommand)).toEqual({
      TableName: 'profiles',
      Key: marshall({ id: SUB }),
      UpdateExpression: 'SET #claimId = :claimId, #expiresAt = :expiresAt REMOVE #failedAt',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#sentAt) AND attribute_not_exists(#expiresAt)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall({ ':claimId': 'c', ':expiresAt': 2000 }),
    });
  });

  it('at least once: also takes over a claim whose lease ran out (unknown)', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expect(await claimWelcome(table, SUB, { id: 'c', expiresAt: 2000 }, 1000, true, signal)).toBe(true);
    expect(inputOf(UpdateItemCommand)).toEqual({
      TableName: 'profiles',
      Key: marshall({ id: SUB }),
      UpdateExpression: 'SET #claimId = :claimId, #expiresAt = :expiresAt REMOVE #failedAt',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#sentAt) AND (attribute_not_exists(#expiresAt) OR #expiresAt < :now)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall({ ':claimId': 'c', ':expiresAt': 2000, ':now': 1000 }),
    });
  });

  it('answers false when another delivery has sent or holds the claim', async () => {
    ddb.on(UpdateItemCommand).rejects(ccf());
    expect(await claimWelcome(table, SUB, { id: 'c', expiresAt: 2000 }, 1000, false, signal)).toBe(false);
  });

  it('marks the welcome sent and drops the claim and any failure, on an existing row only', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await markWelcomeSent(table, SUB, '2026-01-01T00:00:00.000Z', signal);
    expect(inputOf(UpdateItemCommand)).toEqual({
      TableName: 'profiles',
      Key: marshall({ id: SUB }),
      UpdateExpression: 'SET #sentAt = :sentAt REMOVE #claimId, #expiresAt, #failedAt',
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall({ ':sentAt': '2026-01-01T00:00:00.000Z' }),
    });
  });

  it("gives up only this caller's own claim, recording the failure", async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await releaseWelcomeClaim(table, SUB, 'mine', '2026-01-01T00:00:00.000Z', signal);
    expect(inputOf(UpdateItemCommand)).toEqual({
      TableName: 'profiles',
      Key: marshall({ id: SUB }),
      UpdateExpression: 'SET #failedAt = :failedAt REMOVE #claimId, #expiresAt',
      ConditionExpression: '#claimId = :claimId',
      ExpressionAttributeNames: { '#claimId': 'welcomeClaimId', '#expiresAt': 'welcomeClaimExpiresAt', '#failedAt': 'welcomeFailedAt' },
      ExpressionAttributeValues: marshall({ ':claimId': 'mine', ':failedAt': '2026-01-01T00:00:00.000Z' }),
    });
  });
});

describe('updateProfileFields', () => {
  const now = '2026-02-02T00:00:00.000Z';

  it('upserts the given fields, keeps createdAt, and never writes the key or timestamps from the fields', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall({ id: SUB, email: 'b@example.com' }) });
    const fields = { id: 'forged', createdAt: 'forged', updatedAt: 'forged', email: 'b@example.com', gone: undefined };
    const row = await updateProfileFields(table, SUB, { fields, now, mode: 'upsert' }, signal);
    expect(row).toEqual({ id: SUB, email: 'b@example.com' });
    expect(inputOf(UpdateItemCommand)).toEqual({
      TableName: 'profiles',
      Key: marshall({ id: SUB }),
      UpdateExpression: 'SET #updatedAt = :now, #createdAt = if_not_exists(#createdAt, :now), #f0 = :f0',
      ExpressionAttributeNames: { '#updatedAt': 'updatedAt', '#createdAt': 'createdAt', '#f0': 'email' },
      ExpressionAttributeValues: marshall({ ':now': now, ':f0': 'b@example.com' }),
      ReturnValues: 'ALL_NEW',
    });
  });

  it('on an existing row, unchanged since a read, not deleted, and newer than the stored version', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    const update = {
      fields: { plan: 'pro' },
      now,
      mode: 'existing' as const,
      unchangedSince: '2026-01-01T00:00:00.000Z',
      version: { attribute: 'cognitoVersion', value: '2026-01-01T12:00:00.000Z|2026-01-01T12:00:01.000Z' },
      notDeleted: true,
    };
    await updateProfileFields(table, SUB, update, signal, 'repairProfile');
    const input = inputOf(UpdateItemCommand);
    expect(input.ConditionExpression).toBe(
      'attribute_exists(#pk) AND #updatedAt = :seenUpdatedAt AND (attribute_not_exists(#version) OR #version < :version) AND attribute_not_exists(#deletedAt)',
    );
    expect(input.UpdateExpression).toBe(
      'SET #updatedAt = :now, #createdAt = if_not_exists(#createdAt, :now), #f0 = :f0, #version = :version',
    );
    expect(input.ExpressionAttributeNames).toEqual({
      '#updatedAt': 'updatedAt',
      '#createdAt': 'createdAt',
      '#f0': 'plan',
      '#pk': 'id',
      '#version': 'cognitoVersion',
      '#deletedAt': 'deletedAt',
    });
    expect(input.ExpressionAttributeValues).toEqual(
      marshall({
        ':now': now,
        ':f0': 'pro',
        ':seenUpdatedAt': '2026-01-01T00:00:00.000Z',
        ':version': '2026-01-01T12:00:00.000Z|2026-01-01T12:00:01.000Z',
      }),
    );
  });

  it('orders a row without the version by its legacy attribute, and removes that attribute', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    const version = { attribute: 'cognitoVersion', value: 'v2', legacy: { attribute: 'cognitoEventAt', notAfter: '2026-01-01T12:00:00.000Z' } };
    await updateProfileFields(table, SUB, { fields: {}, now, mode: 'upsert', version }, signal);
    const input = inputOf(UpdateItemCommand);
    expect(input.ConditionExpression).toBe(
      '(#version < :version OR (attribute_not_exists(#version) AND (attribute_not_exists(#legacyVersion) OR #legacyVersion <= :legacyVersion)))',
    );
    expect(input.UpdateExpression).toBe('SET #updatedAt = :now, #createdAt = if_not_exists(#createdAt, :now), #version = :version REMOVE #legacyVersion');
    expect(input.ExpressionAttributeNames).toMatchObject({ '#version': 'cognitoVersion', '#legacyVersion': 'cognitoEventAt' });
    expect(input.ExpressionAttributeValues).toEqual(marshall({ ':now': now, ':version': 'v2', ':legacyVersion': '2026-01-01T12:00:00.000Z' }));
  });

  it('requires a row that never had updatedAt when told it had none', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await updateProfileFields(table, SUB, { fields: {}, now, mode: 'existing', unchangedSince: null }, signal);
    expect(inputOf(UpdateItemCommand).ConditionExpression).toBe('attribute_exists(#pk) AND attribute_not_exists(#updatedAt)');
  });

  it('answers undefined when its condition fails, and names the operation when the call fails', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(ccf()).rejectsOnce(new Error('boom'));
    expect(await updateProfileFields(table, SUB, { fields: {}, now, mode: 'existing' }, signal)).toBeUndefined();
    const error = await updateProfileFields(table, SUB, { fields: {}, now, mode: 'upsert' }, signal, 'syncProfile').catch((caught: unknown) => caught);
    expect(isProfileWriteError(error) && error.operation === 'syncProfile').toBe(true);
  });
});

describe('deleteProfile', () => {
  it('deletes the row by key', async () => {
    ddb.on(DeleteItemCommand).resolves({});
    await deleteProfile(table, SUB, signal);
    expect(inputOf(DeleteItemCommand)).toEqual({ TableName: 'profiles', Key: marshall({ id: SUB }) });
  });
});

describe('reads', () => {
  it('reads rows consistently, 100 keys a call, retrying unprocessed keys', async () => {
    const subs = Array.from({ length: 101 }, (_, index) => `sub-${index}`);
    ddb
      .on(BatchGetItemCommand)
      .resolvesOnce({ Responses: { profiles: [marshall({ id: 'sub-0' })] }, UnprocessedKeys: { profiles: { Keys: [marshall({ id: 'sub-1' })] } } })
      .resolvesOnce({ Responses: { profiles: [marshall({ id: 'sub-1' })] } })
      .resolves({ Responses: { profiles: [marshall({ id: 'sub-100' })] } });
    const rows = await getProfiles(table, subs, signal, { attempts: 3, baseMs: 0, maxMs: 0 });
    expect([...rows.keys()]).toEqual(['sub-0', 'sub-1', 'sub-100']);
    const inputs = ddb.commandCalls(BatchGetItemCommand).map((call) => call.args[0].input.RequestItems!.profiles!);
    expect(inputs.map((request) => [request.Keys!.length, request.ConsistentRead])).toEqual([
      [100, true],
      [1, true],
      [1, true],
    ]);
    expect(inputs[1]!.Keys).toEqual([marshall({ id: 'sub-1' })]);
  });

  it('gives up on keys left unprocessed past the attempts, with a ProfileReadError', async () => {
    ddb.on(BatchGetItemCommand).resolves({ UnprocessedKeys: { profiles: { Keys: [marshall({ id: 'x' })] } } });
    const error = await getProfiles(table, ['x'], signal, { attempts: 2, baseMs: 0, maxMs: 0 }).catch((caught: unknown) => caught);
    expect(isProfileReadError(error) && error.operation === 'batchGetProfiles').toBe(true);
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(2);
  });

  it('scans the key, deletedAt, createdAt, userPoolId and the erasure state, page by page', async () => {
    ddb
      .on(ScanCommand)
      .resolvesOnce({
        Items: [
          marshall({ id: 'a', deletedAt: 'x', createdAt: '2026', userPoolId: 'eu-west-1_A', erasedAt: 'y' }),
          marshall({ id: 'c', deletedAt: 'x', erasureFailedAt: 'z' }),
          marshall({ id: 'd', deletedAt: 'x', erasureClaimExpiresAt: 1 }),
        ],
        LastEvaluatedKey: marshall({ id: 'a' }),
      })
      .resolvesOnce({ Items: [marshall({ id: 'b' })] });
    const pages = [];
    for await (const page of scanProfileKeys(table, signal, noRetry)) pages.push(page);
    expect(pages).toEqual([
      [
        { sub: 'a', deleted: true, deletedAt: 'x', erasure: 'done', createdAt: '2026', userPoolId: 'eu-west-1_A' },
        { sub: 'c', deleted: true, deletedAt: 'x', erasure: 'begun', createdAt: undefined, userPoolId: undefined },
        { sub: 'd', deleted: true, deletedAt: 'x', erasure: 'begun', createdAt: undefined, userPoolId: undefined },
      ],
      [{ sub: 'b', deleted: false, deletedAt: undefined, erasure: 'none', createdAt: undefined, userPoolId: undefined }],
    ]);
    const inputs = ddb.commandCalls(ScanCommand).map((call) => call.args[0].input);
    expect(inputs[0]).toEqual({
      TableName: 'profiles',
      ProjectionExpression: '#pk, #deletedAt, #createdAt, #userPoolId, #erasedAt, #erasureClaim, #erasureFailed',
      ExpressionAttributeNames: {
        '#pk': 'id',
        '#deletedAt': 'deletedAt',
        '#createdAt': 'createdAt',
        '#userPoolId': 'userPoolId',
        '#erasedAt': 'erasedAt',
        '#erasureClaim': 'erasureClaimExpiresAt',
        '#erasureFailed': 'erasureFailedAt',
      },
    });
    expect(inputs[1]!.ExclusiveStartKey).toEqual(marshall({ id: 'a' }));
  });

  it('names the read that failed', async () => {
    ddb.on(ScanCommand).rejects(new Error('boom'));
    const error = await scanProfileKeys(table, signal, noRetry).next().catch((caught: unknown) => caught);
    expect(isProfileReadError(error) && error.operation === 'scanProfileKeys').toBe(true);
  });
});

describe('keyOf', () => {
  // The marshaller reads an object with a `constructor` key as a class instance and sets the
  // prototype for a `__proto__` key: those two are checked on their own below.
  it('makes the key the SDK marshaller makes, for any sub and key name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((key) => key !== '__proto__' && key !== 'constructor'), fc.string(), (partitionKey, sub) => {
        expect(JSON.stringify(keyOf({ ...table, partitionKey }, sub))).toBe(JSON.stringify(marshall({ [partitionKey]: sub })));
      }),
    );
  });

  it('sends a key named constructor or __proto__ under its own name', () => {
    for (const partitionKey of ['constructor', '__proto__']) {
      expect(JSON.stringify(keyOf({ ...table, partitionKey }, 's'))).toBe(`{"${partitionKey}":{"S":"s"}}`);
    }
  });
});

describe('control items', () => {
  it('reads one consistently and writes it under its key', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshall({ id: '#k', cursor: 'c' }) });
    ddb.on(PutItemCommand).resolves({});
    expect(await getControlItem(table, '#k', signal)).toEqual({ id: '#k', cursor: 'c' });
    expect(inputOf(GetItemCommand)).toEqual({ TableName: 'profiles', Key: marshall({ id: '#k' }), ConsistentRead: true });
    await putControlItem(table, '#k', { cursor: 'd', id: 'ignored' }, signal);
    expect(inputOf(PutItemCommand)).toEqual({ TableName: 'profiles', Item: marshall({ cursor: 'd', id: '#k' }) });
  });

  it('names a failed read a ProfileReadError and a failed write a ProfileWriteError', async () => {
    ddb.on(GetItemCommand).rejects(new Error('boom'));
    ddb.on(PutItemCommand).rejects(new Error('boom'));
    const read = await getControlItem(table, '#k', signal).catch((caught: unknown) => caught);
    const write = await putControlItem(table, '#k', { cursor: 'd' }, signal).catch((caught: unknown) => caught);
    expect(isProfileReadError(read) && read.operation === 'getControlItem').toBe(true);
    expect(isProfileWriteError(write) && write.operation === 'putControlItem').toBe(true);
  });

  it('deletes one when given no fields', async () => {
    ddb.on(DeleteItemCommand).resolves({});
    await putControlItem(table, '#k', undefined, signal);
    expect(inputOf(DeleteItemCommand)).toEqual({ TableName: 'profiles', Key: marshall({ id: '#k' }) });
  });
});
