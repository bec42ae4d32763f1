import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/index.js';

/*
 * The built `cognito-profile-sync` bin as a process (`npm test` builds first), pointed at
 * the local stack with the standard AWS_ENDPOINT_URL_* variables, as an operator would.
 */
let stack: LocalStack;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['dist/cli/index.js', ...args],
      { env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const stackArgs = () => ['reconcile', '--user-pool-id', stack.userPoolId, '--table', stack.tableName];

beforeAll(async () => {
  stack = await startLocalStack();
  for (const name of ['ana', 'ben', 'cy']) {
    await stack.clients.cognito.send(
      new AdminCreateUserCommand({ UserPoolId: stack.userPoolId, Username: `${name}@cli.example`, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${name}@cli.example` }] }),
    );
  }
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe('cognito-profile-sync reconcile, as a process', () => {
  it('documents every option in --help and exits 0', async () => {
    const run = await cli(['reconcile', '--help']);

    expect(run.code).toBe(0);
    for (const option of ['--user-pool-id', '--table', '--partition-key', '--region', '--dry-run', '--json', '--concurrency', '--orphans', '--cursor']) {
      expect(run.stdout).toContain(option);
    }
  });

  it('exits 2 with a clear message for bad usage', async () => {
    const missing = await cli(['reconcile', '--user-pool-id', 'eu-west-1_Abc']);
    const badNumber = await cli([...stackArgs(), '--concurrency', 'lots']);
    const unknown = await cli([...stackArgs(), '--fast']);
    const noCommand = await cli(['frobnicate']);

    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('--table is required');
    expect(badNumber).toMatchObject({ code: 2 });
    expect(badNumber.stderr).toContain('--concurrency must be a whole number');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'--fast'");
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toContain('unknown command "frobnicate"');
  });

  it('a dry run prints the JSON report on stdout and writes nothing; a run writes; the next finds nothing to do', async () => {
    const dry = await cli([...stackArgs(), '--dry-run', '--json'], stack.env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, complete: true, scanned: 3, created: 3 });
    expect(dry.stderr).toBe(''); // not a terminal: no progress line
    const empty = await stack.clients.dynamodb.send(new ScanCommand({ TableName: stack.tableName }));
    expect(empty.Count).toBe(0);

    const run = await cli([...stackArgs(), '--json', '--concurrency', '2'], stack.env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ dryRun: false, created: 3, errors: 0 });
    const full = await stack.clients.dynamodb.send(new ScanCommand({ TableName: stack.tableName }));
    expect(full.Count).toBe(3);

    const again = await cli(stackArgs(), stack.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/rows created\s+0/);
    expect(again.stdout).toMatch(/rows unchanged\s+3/);
    expect(again.stdout).not.toContain('@cli.example');
  });

  it('exits 1 and says why when the run fails', async () => {
    const run = await cli(['reconcile', '--user-pool-id', stack.userPoolId, '--table', 'no-such-table', '--json'], stack.env);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('reconcile failed');
    expect(run.stderr).toContain('ResourceNotFoundException');
  });
});
