import { CognitoIdentityProviderClient, DescribeUserPoolCommand, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { BatchGetItemCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CognitoReadError, ProfileReadError, ReconcileError } from '../../src/index.js';
import { explainFailure } from '../../src/cli/failures.js';
import { main } from '../../src/cli/main.js';
import { duration, progressLine } from '../../src/cli/progress.js';
import type { CliIo } from '../../src/cli/io.js';

/* The command line in process, for the branches a local server cannot produce. */
const ddb = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);

function capture(extra: Partial<CliIo> = {}) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = { stdout: (text) => void (out.stdout += text), stderr: (text) => void (out.stderr += text), env: {}, ...extra };
  return { out, io };
}

const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });
const pool = ['reconcile', '--user-pool-id', 'eu-west-1_Abc123', '--table', 'profiles', '--region', 'eu-west-1'];
const userOf = (sub: string) => ({ Username: sub, UserStatus: 'CONFIRMED', Attributes: [{ Name: 'sub', Value: sub }] });
/** Answers each partition's ListUsers with the given users whose `sub` falls in it. */
const listFrom = (subs: string[]) => (input: { Filter?: string }) => {
  const prefix = /\^= "(.)"/.exec(input.Filter ?? '')?.[1] ?? '';
  return { Users: subs.filter((sub) => sub.startsWith(prefix)).map(userOf) };
};
const cursorOf = (positions: Record<string, string | null>) => `p1.${Buffer.from(JSON.stringify(positions)).toString('base64url')}`;

beforeEach(() => {
  // The credential chain resolves from the environment, never from this machine's files or
  // an instance metadata endpoint.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'unit');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'unit');
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_REGION', undefined);
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/cognito-profile-sync/config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/cognito-profile-sync/credentials');
});
afterEach(() => {
  ddb.reset();
  cognito.reset();
  vi.unstubAllEnvs();
});

describe('cognito-profile-sync', () => {
  it('exits 1 when a user failed, and lists the failure by sub', async () => {
    const sub = '9a1b2c3d-0000-4000-8000-000000000001';
    cognito.on(ListUsersCommand).resolves({ Users: [{ Username: 'ana', UserStatus: 'CONFIRMED', Attributes: [{ Name: 'sub', Value: sub }, { Name: 'email', Value: 'ana@example.com' }] }] });
    ddb.on(BatchGetItemCommand).resolves({ Responses: { profiles: [] } });
    ddb.on(PutItemCommand).rejects(sdkError('ValidationException', 'One or more parameter values were invalid'));
    const { out, io } = capture();

    const code = await main([...pool, '--cursor', 'resume'], io);

    expect(code).toBe(1);
    expect(out.stdout).toMatch(/users failed\s+1/);
    expect(out.stdout).toContain(`failed: ${sub} ProfileWriteError`);
    expect(out.stdout).not.toContain('ana@example.com');
  });

  it('exits 2 when an option is well formed but wrong, naming its flag', async () => {
    const badPool = capture();
    const badCursor = capture();

    expect(await main(['reconcile', '--user-pool-id', 'not-a-pool', '--table', 'profiles', '--region', 'eu-west-1'], badPool.io)).toBe(2);
    expect(await main([...pool, '--cursor', 'p1.not-json'], badCursor.io)).toBe(2);

    expect(badPool.out.stderr).toContain('--user-pool-id must be a user pool id such as eu-west-1_AbC123');
    expect(badPool.out.stderr).not.toContain('userPoolId');
    expect(badCursor.out.stderr).toContain("--cursor is not the `cursor` of an earlier run's report");
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);
  });

  it('passes --list-users-per-second to the run, and refuses a rate that is not positive', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    ddb.on(BatchGetItemCommand).resolves({ Responses: { profiles: [] } });
    ddb.on(ScanCommand).resolves({ Items: [] });
    const refused = capture();

    expect(await main(['reconcile', '--user-pool-id', 'eu-west-1_Abc123', '--table', 'profiles', '--list-users-per-second', '0'], refused.io)).toBe(2);
    expect(refused.out.stderr).toContain('--list-users-per-second');
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);

    const accepted = capture();
    expect(await main([...pool, '--list-users-per-second', '30'], accepted.io)).toBe(0);
    // Every partition read once: an empty pool takes one call a partition.
    expect(cognito.commandCalls(ListUsersCommand).map((call) => call.args[0].input.Filter).sort()).toEqual(
      [...'0123456789abcdef'].map((digit) => `sub ^= "${digit}"`),
    );
  });

  it('exits 130 on Ctrl-C, printing what was done and the cursor to go on', async () => {
    cognito.on(ListUsersCommand).callsFake(() => {
      process.emit('SIGINT');
      return { Users: [], PaginationToken: 'page-2' };
    });
    ddb.on(BatchGetItemCommand).resolves({ Responses: { profiles: [] } });
    const { out, io } = capture();

    const code = await main([...pool, '--json'], io);

    expect(code).toBe(130);
    expect(JSON.parse(out.stdout)).toMatchObject({ interrupted: true, complete: false });
    expect(out.stderr).toContain('Interrupted');
  });

  it('prints its usage for --help and a version for --version', async () => {
    const help = capture();
    const version = capture();

    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out.stdout).toContain('reconcile');
    expect(await main(['--version'], version.io)).toBe(0);
    expect(version.out.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('cognito-profile-sync reconcile lists', () => {
  const subs = ['1a000000-0000-4000-8000-000000000001', '2b000000-0000-4000-8000-000000000002', '3c000000-0000-4000-8000-000000000003'];

  it('shows the ids --max-ids keeps, then how many more there are', async () => {
    cognito.on(ListUsersCommand).callsFake(listFrom(subs));
    ddb.on(BatchGetItemCommand).resolves({ Responses: { profiles: [] } });
    ddb.on(PutItemCommand).rejects(sdkError('ValidationException', 'invalid'));
    const table = capture();
    const json = capture();

    expect(await main([...pool, '--max-ids', '1'], table.io)).toBe(1);
    expect(await main([...pool, '--max-ids', '1', '--json'], json.io)).toBe(1);

    expect(table.out.stdout.match(/ failed: \S+ ProfileWriteError/g)).toHaveLength(1);
    expect(table.out.stdout).toContain('failed: … and 2 more (--max-ids N lists more)');
    expect(JSON.parse(json.out.stdout)).toMatchObject({ errors: 3, ids: { errors: [{ error: 'ProfileWriteError' }] } });
    expect(JSON.parse(json.out.stdout).ids.errors).toHaveLength(1);
  });

  it('says how many it did not list with --max-ids 0, and refuses a count that is not whole', async () => {
    cognito.on(ListUsersCommand).callsFake(listFrom(subs));
    ddb.on(BatchGetItemCommand).resolves({ Responses: { profiles: [] } });
    ddb.on(PutItemCommand).rejects(sdkError('ValidationException', 'invalid'));
    const none = capture();
    const bad = capture();

    expect(await main([...pool, '--max-ids', '0'], none.io)).toBe(1);
    expect(await main([...pool, '--max-ids', '1.5'], bad.io)).toBe(2);

    expect(none.out.stdout).not.toMatch(/failed: \S+ ProfileWriteError/);
    expect(none.out.stdout).toContain('failed: 3 not listed (--max-ids N lists them)');
    expect(bad.out.stderr).toContain('--max-ids must be a whole number, 0 or more, not "1.5"');
  });
});

describe('cognito-profile-sync reconcile failures', () => {
  it('names the cause and the permission when Cognito refuses, and prints no report when nothing ran', async () => {
    cognito.on(ListUsersCommand).rejects(
      sdkError('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cognito-idp:ListUsers'),
    );
    const { out, io } = capture();

    const code = await main(pool, io);

    expect(code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('failed: Cognito ListUsers failed: AccessDeniedException: User: arn:aws:iam::123456789012:user/ops is not authorized');
    expect(out.stderr).toContain('These credentials may not read the user pool "eu-west-1_Abc123" in eu-west-1: the command needs cognito-idp:ListUsers on the pool.');
    expect(out.stderr).not.toContain('--cursor');
  });

  it('names the table, its region and the permissions when DynamoDB refuses', async () => {
    cognito.on(ListUsersCommand).callsFake(listFrom(['1a000000-0000-4000-8000-000000000001']));
    ddb.on(BatchGetItemCommand).rejects(sdkError('AccessDeniedException', 'not authorized to perform: dynamodb:BatchGetItem'));
    const { out, io } = capture();

    const code = await main([...pool, '--orphans', 'delete'], io);

    expect(code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('table "profiles" failed: AccessDeniedException: not authorized to perform: dynamodb:BatchGetItem');
    expect(out.stderr).toContain('may not read the table "profiles" in eu-west-1: the command needs dynamodb:BatchGetItem, PutItem, UpdateItem and Scan, DeleteItem on the table');
  });

  it('still prints what a run did before it failed, and the cursor to go on', async () => {
    // Partition 0 is read and written; every other partition's ListUsers fails.
    cognito.on(ListUsersCommand).callsFake((input: { Filter?: string }) => {
      if (input.Filter !== 'sub ^= "0"') throw sdkError('InternalErrorException', 'Internal error');
      return listFrom(['0a000000-0000-4000-8000-000000000001'])(input);
    });
    ddb.on(BatchGetItemCommand).resolves({ Responses: { profiles: [] } });
    ddb.on(PutItemCommand).resolves({});
    const { out, io } = capture();

    const code = await main([...pool, '--concurrency', '1', '--list-users-per-second', '1000'], io);

    expect(code).toBe(1);
    expect(out.stdout).toMatch(/rows created\s+1/);
    expect(out.stderr).toContain('failed: Cognito ListUsers failed: InternalErrorException: Internal error');
    expect(out.stderr).toMatch(/Continue with --cursor p1\./);
  });
});

describe('explainFailure', () => {
  const target = { userPoolId: 'eu-west-1_Abc123', table: 'profiles', region: 'us-east-1' };
  const failed = (cause: unknown) => new ReconcileError({ scanned: 0 } as ConstructorParameters<typeof ReconcileError>[0], cause);

  it.each([
    [new CognitoReadError('ListUsers', sdkError('ResourceNotFoundException', 'User pool eu-west-1_Abc123 does not exist.')), 'There is no user pool "eu-west-1_Abc123" in us-east-1 (the pool id says eu-west-1): check --user-pool-id, and --region or --profile.'],
    [new ProfileReadError('batchGetProfiles', 'profiles', sdkError('ResourceNotFoundException', 'Requested resource not found')), 'There is no table "profiles" in us-east-1: check --table, and --region or --profile'],
    [new CognitoReadError('ListUsers', sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.')), 'AWS refused the credentials'],
    [new ProfileReadError('scanProfileKeys', 'profiles', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'DynamoDB in us-east-1 did not answer'],
    [new CognitoReadError('ListUsers', sdkError('TooManyRequestsException', 'Too many requests')), 'Still throttled after the retries'],
    [new CognitoReadError('ListUsers', sdkError('CredentialsProviderError', 'Could not load credentials from any providers')), 'No AWS credentials'],
    [new CognitoReadError('ListUsers', new Error('Region is missing')), 'No AWS region: pass --region'],
  ])('says what to do about %s', (cause, nextStep) => {
    expect(explainFailure(failed(cause), target).nextStep).toContain(nextStep);
  });

  it('keeps the step and the SDK error, by name and message', () => {
    const error = failed(new ProfileReadError('batchGetProfiles', 'profiles', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })));

    expect(explainFailure(error, target).cause).toBe('batchGetProfiles on table "profiles" failed: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');
  });
});

describe('the progress line on a terminal', () => {
  it('counts a resumed run from the partitions its cursor had finished, never from 0 %', async () => {
    // 12 of 16 partitions were done before; four are left, one of them half read.
    const cursor = cursorOf({ a: 'token-a', b: null, c: null, d: null });
    const subs = ['a1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000002', 'c1000000-0000-4000-8000-000000000003', 'd1000000-0000-4000-8000-000000000004'];
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { EstimatedNumberOfUsers: 1600 } });
    cognito.on(ListUsersCommand).callsFake(listFrom(subs));
    ddb.on(BatchGetItemCommand).resolves({ Responses: { profiles: [] } });
    const { out, io } = capture({ stderrIsTerminal: true });

    const code = await main([...pool, '--dry-run', '--cursor', cursor], io);

    expect(code).toBe(0);
    const lines = out.stderr.split('\r').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      expect(line).toMatch(/^resumed: 1[3-6]\/16 partitions done · \d users this run/);
      expect(line).not.toContain('%');
    }
    expect(lines.at(-1)).toMatch(/^resumed: 16\/16 partitions done · 4 users this run · .* · 4 to create, 0 to repair, 0 failed/);
    expect(out.stdout).toMatch(/rows to create\s+4/);
  });

  it('measures a fresh run against the pool estimate, with rate and ETA, in the dry run tense', async () => {
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { EstimatedNumberOfUsers: 2 } });
    cognito.on(ListUsersCommand).callsFake(listFrom(['1a000000-0000-4000-8000-000000000001', '2b000000-0000-4000-8000-000000000002']));
    ddb.on(BatchGetItemCommand).resolves({ Responses: { profiles: [] } });
    ddb.on(ScanCommand).resolves({ Items: [] });
    const { out, io } = capture({ stderrIsTerminal: true });

    expect(await main([...pool, '--dry-run'], io)).toBe(0);

    const last = out.stderr.split('\r').filter(Boolean).at(-1)!;
    expect(last).toMatch(/^\[#{20}\] 100% 2 of ~2 users · [\d.]+ users\/s · 2 to create, 0 to repair, 0 failed/);
    expect(out.stderr).toMatch(/\[#{10}-{10}\]  50% 1 of ~2 users · [\d.]+ users\/s · ETA \d+s · 1 to create/);
  });
});

describe('progressLine', () => {
  const report = { scanned: 300, created: 20, updated: 2, errors: 1, dryRun: false };
  const start = { startedAt: 0 };

  it('draws a bar against the estimate, capped at full, with the rate and the time left', () => {
    expect(progressLine(report, { ...start, total: 600 }, 10_000)).toBe(
      '[##########----------]  50% 300 of ~600 users · 30 users/s · ETA 10s · 20 created, 2 repaired, 1 failed',
    );
    expect(progressLine(report, { ...start, total: 100 }, 10_000)).toMatch(/^\[#{20}\] 100% 300 of ~100 users · 30 users\/s · 20 created/);
  });

  it('speaks of what a dry run would do', () => {
    expect(progressLine({ ...report, dryRun: true }, start, 10_000)).toBe('300 users · 30 users/s · 20 to create, 2 to repair, 1 failed');
  });

  it('shows a resumed run by its partitions, with an ETA that is an upper bound', () => {
    // 1600 users, 100 a partition; 4 partitions were left and this run read 100 users: at
    // most 300 are left, and no more than 100 in each partition still unfinished.
    const resumed = { ...start, total: 1600, resumed: { partitions: 16, left: 4 } };

    expect(progressLine({ ...report, scanned: 100, partitionsLeft: 3 }, resumed, 10_000)).toBe(
      'resumed: 13/16 partitions done · 100 users this run · 10 users/s · ETA ≤ 30s · 20 created, 2 repaired, 1 failed',
    );
    expect(progressLine({ ...report, scanned: 100, partitionsLeft: 1 }, resumed, 10_000)).toContain('ETA ≤ 10s');
  });

  it('shows the counts alone when the pool size is unknown', () => {
    expect(progressLine(report, start, 0)).toBe('300 users · 20 created, 2 repaired, 1 failed');
  });

  it('writes durations as a person reads them', () => {
    expect([duration(0.2), duration(42), duration(185), duration(4020)]).toEqual(['1s', '42s', '3m 05s', '1h 07m']);
  });
});
