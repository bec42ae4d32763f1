import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { BatchGetItemCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { progressLine } from '../../src/cli/reconcileOutput.js';

/* The command line in process, for the branches a local server cannot produce. */
const ddb = mockClient(DynamoDBClient);
const cognito = mockClient(CognitoIdentityProviderClient);

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (text: string) => void (out.stdout += text), stderr: (text: string) => void (out.stderr += text), env: {} } };
}

afterEach(() => {
  ddb.reset();
  cognito.reset();
});

describe('cognito-profile-sync', () => {
  it('exits 1 when a user failed, and lists the failure by sub', async () => {
    const sub = '9a1b2c3d-0000-4000-8000-000000000001';
    cognito.on(ListUsersCommand).resolves({ Users: [{ Username: 'ana', UserStatus: 'CONFIRMED', Attributes: [{ Name: 'sub', Value: sub }, { Name: 'email', Value: 'ana@example.com' }] }] });
    ddb.on(BatchGetItemCommand).resolves({ Responses: { profiles: [] } });
    ddb.on(PutItemCommand).rejects(Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', $metadata: {} }));
    const { out, io } = capture();

    const code = await main(['reconcile', '--user-pool-id', 'eu-west-1_Abc123', '--table', 'profiles', '--region', 'eu-west-1', '--cursor', 'resume'], io);

    expect(code).toBe(1);
    expect(out.stdout).toMatch(/users failed\s+1/);
    expect(out.stdout).toContain(`failed: ${sub} ProfileWriteError`);
    expect(out.stdout).not.toContain('ana@example.com');
  });

  it('exits 2 when an option is well formed but wrong, naming it', async () => {
    const { out, io } = capture();

    const code = await main(['reconcile', '--user-pool-id', 'not-a-pool', '--table', 'profiles', '--region', 'eu-west-1'], io);

    expect(code).toBe(2);
    expect(out.stderr).toContain('userPoolId');
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
    const args = ['reconcile', '--user-pool-id', 'eu-west-1_Abc123', '--table', 'profiles', '--region', 'eu-west-1', '--list-users-per-second', '30'];
    expect(await main(args, accepted.io)).toBe(0);
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

    const code = await main(['reconcile', '--user-pool-id', 'eu-west-1_Abc123', '--table', 'profiles', '--region', 'eu-west-1', '--json'], io);

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

describe('progressLine', () => {
  const report = { scanned: 300, created: 20, updated: 2, errors: 1 } as Parameters<typeof progressLine>[0];

  it('draws a bar against the estimate, capped at full', () => {
    expect(progressLine(report, 600)).toMatch(/^\[#{12}-{12}\]  50% 300 users, 20 created, 2 repaired, 1 failed/);
    expect(progressLine(report, 100)).toMatch(/^\[#{24}\] 100%/);
  });

  it('shows the counts alone when the pool size is unknown', () => {
    expect(progressLine(report).trimEnd()).toBe('300 users, 20 created, 2 repaired, 1 failed');
  });
});
