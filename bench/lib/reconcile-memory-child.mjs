// One reconcile over `users` listed users in a fresh process, with Cognito and DynamoDB
// answered in memory (no emulator shares the heap), every row already in step. Prints the
// peak of live heap plus array buffers above what the process held before the run.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';

const [packageUrl, usersArg] = process.argv.slice(2);
const users = Number(usersArg);
const { reconcile } = await import(packageUrl);
const pageSize = 60;
const cognitoClient = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const client = new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
// Answered by a middleware at the front of each client's stack: the real SDK command path up
// to the wire, and nothing kept of past calls (a mocking library would record them all).
const answer = (target, respond) =>
  target.middlewareStack.add((next, context) => async (args) => ({ output: { $metadata: {}, ...respond(context.commandName, args.input) }, response: {} }), { step: 'initialize', name: 'benchAnswer' });
// Partitioned by `sub` prefix as Cognito would: each of the 16 partitions holds its share.
const prefixes = [...'0123456789abcdef'];
const inPartition = (prefix) => Math.floor(users / 16) + (prefixes.indexOf(prefix) < users % 16 ? 1 : 0);
answer(cognitoClient, (_command, { PaginationToken, Filter }) => {
  const prefix = /^sub \^= "(.)"$/.exec(Filter ?? '')?.[1] ?? '';
  const total = prefix === '' ? users : inPartition(prefix);
  const start = Number(PaginationToken ?? 0);
  const count = Math.min(pageSize, total - start);
  const Users = Array.from({ length: count }, () => ({ Username: randomUUID(), UserStatus: 'CONFIRMED', Attributes: [{ Name: 'sub', Value: prefix + randomUUID().slice(prefix.length) }] }));
  return { Users, ...(start + count < total && { PaginationToken: String(start + count) }) };
});
// Rows written after the listing: in step, so the run reads and never writes.
answer(client, (command, input) =>
  command === 'BatchGetItemCommand'
    ? { Responses: { bench: input.RequestItems.bench.Keys.map((key) => marshall({ userId: key.userId.S, updatedAt: '2999-01-01T00:00:00.000Z' })) } }
    : { Items: [] },
);

const used = () => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
// Live memory, after a collection every 50 pages: what the run holds, not the garbage a
// lazy collector has yet to free.
global.gc();
const before = used();
let peak = before;
let pages = 0;
const onProgress = () => {
  if (++pages % 50 !== 0) return;
  global.gc();
  peak = Math.max(peak, used());
};
// No rate limit: the fake answers at once, and the run's memory is what is measured.
const report = await reconcile({ userPoolId: 'eu-west-1_Bench', table: { name: 'bench', client }, cognitoClient, onProgress, listUsersPerSecond: Infinity });
global.gc();
const after = used();
process.stdout.write(JSON.stringify({ users, scanned: report.scanned, unchanged: report.unchanged, peakBytes: Math.max(peak, after) - before }));
