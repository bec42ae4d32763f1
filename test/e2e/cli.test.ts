import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/index.js';

/*
 * The built `cognito-profile-sync` bin as a process (`npm test` builds first), pointed at
 * the local stack with the standard AWS_ENDPOINT_URL_* variables, as an operator would.
 * Every run gets an empty home and no AWS config files of this machine, and instance
 * metadata is off: the credential chain never leaves loopback.
 */
let stack: LocalStack;
let scratch: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const repo = fileURLToPath(new URL('../..', import.meta.url));

function cli(args: string[], env: NodeJS.ProcessEnv = {}, bin = join(repo, 'dist/cli/index.js')): Promise<Run> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd: scratch,
        env: {
          PATH: process.env.PATH,
          HOME: scratch,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_CONFIG_FILE: join(scratch, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolveRun({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const stackArgs = () => ['reconcile', '--user-pool-id', stack.userPoolId, '--table', stack.tableName];
/** The stack's endpoints with neither region nor credentials. */
const endpointsOnly = () => {
  const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...endpoints } = stack.env;
  return endpoints;
};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cps-cli-'));
  stack = await startLocalStack();
  for (const name of ['ana', 'ben', 'cy']) {
    await stack.clients.cognito.send(
      new AdminCreateUserCommand({ UserPoolId: stack.userPoolId, Username: `${name}@cli.example`, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${name}@cli.example` }] }),
    );
  }
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('cognito-profile-sync reconcile, as a process', () => {
  it('documents every option in --help, and that a dry run finding drift exits 0', async () => {
    const run = await cli(['reconcile', '--help']);

    expect(run.code).toBe(0);
    for (const option of ['--user-pool-id', '--table', '--partition-key', '--region', '--profile', '--dry-run', '--json', '--max-ids', '--concurrency', '--orphans', '--cursor', '--list-users-per-second']) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout.replace(/\s+/g, ' ')).toContain('Exit code: 0 the run covered the pool and no user failed (drift a --dry-run finds, and orphans, still exit 0');
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

  it('lists the ids --max-ids keeps and how many more, and exits 0 on a dry run that finds drift and orphans', async () => {
    const table = 'cli-orphans';
    const dynamodb = stack.clients.dynamodb;
    await dynamodb.send(
      new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    for (const digit of ['1', '2', '3']) {
      const userId = `0000000${digit}-dead-4000-8000-000000000000`;
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { userId: { S: userId }, createdAt: { S: '2024-01-01T00:00:00.000Z' } } }));
    }

    const run = await cli(['reconcile', '--user-pool-id', stack.userPoolId, '--table', table, '--dry-run', '--max-ids', '1'], stack.env);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rows to create\s+3/);
    expect(run.stdout).toMatch(/orphan rows\s+3/);
    expect(run.stdout.match(/ orphan: 0000000\d-dead-4000-8000-000000000000/g)).toHaveLength(1);
    expect(run.stdout).toContain('orphan: … and 2 more (--max-ids N lists more)');
  });
});

describe('cognito-profile-sync reconcile, when the run cannot start or fails', () => {
  it('says there is no region, and how to give one, with no report', async () => {
    const run = await cli(['reconcile', '--user-pool-id', 'eu-west-1_Abc123', '--table', stack.tableName], { ...endpointsOnly(), AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });

    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(
      'cognito-profile-sync reconcile: No AWS region: pass --region (the pool id says eu-west-1), set AWS_REGION, or set region in your AWS config profile (--profile NAME).\n',
    );
  });

  it('says there are no credentials, where it looked, and what to do, with no report', async () => {
    const run = await cli(stackArgs(), { ...endpointsOnly(), AWS_REGION: stack.region });

    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('cognito-profile-sync reconcile: No AWS credentials.');
    expect(run.stderr).toContain('Sign in (aws sso login, aws configure) or pass --profile NAME.');
    expect(run.stderr).not.toContain('ListUsers');
  });

  it('names the missing table and its region, prints no all-zero report, and exits 1', async () => {
    const run = await cli(['reconcile', '--user-pool-id', stack.userPoolId, '--table', 'no-such-table', '--json'], stack.env);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('reconcile failed: ');
    expect(run.stderr).toContain('on table "no-such-table" failed: ResourceNotFoundException');
    expect(run.stderr).toContain(`There is no table "no-such-table" in ${stack.region}: check --table, and --region or --profile`);
  });

  it('names the missing user pool and its region', async () => {
    const run = await cli(['reconcile', '--user-pool-id', 'local_NoSuchPool', '--table', stack.tableName], stack.env);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Cognito ListUsers failed: ResourceNotFoundException');
    expect(run.stderr).toContain(`There is no user pool "local_NoSuchPool" in ${stack.region}: check --user-pool-id, and --region or --profile.`);
  });
});

describe('cognito-profile-sync reconcile --profile', () => {
  beforeAll(() => {
    // A profile with its own region (not the stack's) and keys: nothing else gives either.
    writeFileSync(join(scratch, 'config'), '[profile cli-e2e]\nregion = eu-west-3\n');
    writeFileSync(join(scratch, 'credentials'), '[cli-e2e]\naws_access_key_id = local\naws_secret_access_key = local\n');
  });
  const files = () => ({ ...endpointsOnly(), AWS_CONFIG_FILE: join(scratch, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'credentials') });

  it('takes region and credentials from the named profile', async () => {
    const withProfile = await cli([...stackArgs(), '--profile', 'cli-e2e', '--dry-run', '--json'], files());
    const without = await cli([...stackArgs(), '--dry-run', '--json'], files());
    const regionOfProfile = await cli(['reconcile', '--user-pool-id', stack.userPoolId, '--table', 'no-such-table', '--profile', 'cli-e2e'], files());

    expect(withProfile.code).toBe(0);
    expect(JSON.parse(withProfile.stdout)).toMatchObject({ dryRun: true, complete: true, scanned: 3 });
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('No AWS region');
    expect(regionOfProfile.stderr).toContain('There is no table "no-such-table" in eu-west-3');
  });

  it('says which profile gave nothing', async () => {
    const run = await cli([...stackArgs(), '--profile', 'nope'], files());

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('set region in profile "nope" of your AWS config (is the profile there?)');
  });
});

describe('cognito-profile-sync from a folder without the optional peers', () => {
  /** The package's files as `npx` installs them, with only the peers named beside it. */
  function bareInstall(name: string, peers: string[]): string {
    const root = join(scratch, name);
    const pkg = join(root, 'node_modules/cognito-profile-sync');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(repo, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(repo, 'package.json'), join(pkg, 'package.json'));
    for (const peer of peers) {
      mkdirSync(join(root, 'node_modules', peer, '..'), { recursive: true });
      symlinkSync(join(repo, 'node_modules', peer), join(root, 'node_modules', peer), 'dir');
    }
    return join(pkg, 'dist/cli/index.js');
  }

  it('names the package reconcile needs, the npm install line and the npx line, and exits 2', async () => {
    // What `npx cognito-profile-sync` installs: the package and its required peers.
    const bin = bareInstall('required-peers', ['@aws-sdk/client-dynamodb', '@aws-sdk/util-dynamodb']);

    const run = await cli(['reconcile', '--user-pool-id', 'eu-west-1_Abc123', '--table', 'profiles'], stack.env, bin);

    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(
      'cognito-profile-sync reconcile needs a package that is not installed: @aws-sdk/client-cognito-identity-provider\n' +
        'Install it in the project that has cognito-profile-sync:\n' +
        '  npm install --save-dev @aws-sdk/client-cognito-identity-provider\n' +
        'or run the command with it, from any folder:\n' +
        '  npx -p cognito-profile-sync -p @aws-sdk/client-cognito-identity-provider cognito-profile-sync reconcile --user-pool-id eu-west-1_Abc123 --table profiles\n',
    );
  });

  it('names every package the demo needs, and still answers --help and --version', async () => {
    const bin = bareInstall('nothing', []);

    const demo = await cli(['demo'], {}, bin);
    const reconcile = await cli(['reconcile', '--user-pool-id', 'eu-west-1_Abc123', '--table', 'my table'], {}, bin);
    const help = await cli(['reconcile', '--help'], {}, bin);
    const version = await cli(['--version'], {}, bin);

    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain(
      'npm install --save-dev @aws-sdk/client-cognito-identity-provider @aws-sdk/client-dynamodb @aws-sdk/util-dynamodb @aws-sdk/client-ses dynalite cognito-local aws-ses-v2-local\n',
    );
    expect(demo.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    expect(reconcile.code).toBe(2);
    expect(reconcile.stderr).toContain("-p @aws-sdk/util-dynamodb cognito-profile-sync reconcile --user-pool-id eu-west-1_Abc123 --table 'my table'\n");
    expect(help.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
