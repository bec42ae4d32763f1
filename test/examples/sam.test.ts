import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertAcyclic,
  assertReferencesResolve,
  documentedAdminChangePattern,
  readCloudFormationYaml,
  resolveConditions,
} from './helpers.js';

const SAM_DIR = fileURLToPath(new URL('../../examples/sam/', import.meta.url));
const template = readCloudFormationYaml(join(SAM_DIR, 'template.yaml'));

const TABLE_ARN = { 'Fn::GetAtt': ['ProfileTable', 'Arn'] };
const POOL_ARN = { 'Fn::GetAtt': ['UserPool', 'Arn'] };
const SEND_WELCOME = {
  Sid: 'SendWelcomeFromOneAddress',
  Effect: 'Allow',
  Action: 'ses:SendEmail',
  Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*' },
  Condition: { StringEquals: { 'ses:FromAddress': { Ref: 'WelcomeFromAddress' } } },
};
const RESUME_CURSOR = {
  Sid: 'ReadResumeCursor',
  Effect: 'Allow',
  Action: 'dynamodb:GetItem',
  Resource: TABLE_ARN,
  Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#reconcile-cursor'] } },
};
const FUNCTIONS = ['PostConfirmationFunction', 'PreTokenGenerationFunction', 'AdminChangeFunction', 'ReconcileFunction'];

/** The conditions as CloudFormation would evaluate them for one choice of parameters. */
interface Choice {
  SendWelcome: boolean;
  DeleteRows: boolean;
  DeleteOrphans: boolean;
}
const DEFAULTS: Choice = { SendWelcome: false, DeleteRows: false, DeleteOrphans: false };

function resource(id: string, choice: Choice = DEFAULTS) {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id}`);
  return resolveConditions(found, choice as unknown as Record<string, boolean>) as {
    Type: string;
    Properties: Record<string, unknown>;
    Metadata?: { BuildMethod?: string; BuildProperties?: Record<string, unknown> };
  };
}

/** Every IAM statement SAM puts on the function's role besides AWSLambdaBasicExecutionRole. */
function statementsOf(id: string, choice: Choice = DEFAULTS): unknown[] {
  const policies = resource(id, choice).Properties.Policies as unknown[];
  for (const policy of policies) {
    // Inline documents only: no AWS managed policy by name, no SAM policy template.
    expect(policy, `${id} policy`).toEqual({ Version: '2012-10-17', Statement: expect.any(Array) });
  }
  return policies.flatMap((policy) => (policy as { Statement: unknown[] }).Statement);
}

/** The function's environment as SAM deploys it: Globals merged with its own variables. */
function environmentOf(id: string, choice: Choice = DEFAULTS): Record<string, unknown> {
  const globals = (template.Globals?.Function?.Environment as { Variables: Record<string, unknown> }).Variables;
  const own = (resource(id, choice).Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
  return { ...globals, ...own };
}

describe('examples/sam/template.yaml', () => {
  it('refers only to resources, parameters and conditions it defines, without cycles', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(() => assertReferencesResolve(template)).not.toThrow();
    expect(() => assertAcyclic(template)).not.toThrow();
  });

  it('keeps profiles in an on-demand table keyed by userId, with PITR, retained on delete', () => {
    expect(resource('ProfileTable')).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  it('signs users in by email and wires both triggers, invocable by this pool only', () => {
    expect(resource('UserPool').Properties).toMatchObject({
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      LambdaConfig: {
        PostConfirmation: { 'Fn::GetAtt': ['PostConfirmationFunction', 'Arn'] },
        PreTokenGeneration: { 'Fn::GetAtt': ['PreTokenGenerationFunction', 'Arn'] },
      },
    });
    for (const fn of ['PostConfirmationFunction', 'PreTokenGenerationFunction']) {
      const permission = Object.values(template.Resources).find(
        (r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties?.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] }),
      );
      expect(permission?.Properties, fn).toEqual({
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: POOL_ARN,
      });
    }
  });

  it('runs every function on nodejs24.x, each built for Node.js 24', () => {
    expect(template.Globals!.Function!.Runtime).toBe('nodejs24.x');
    for (const id of FUNCTIONS) {
      const { Properties, Metadata } = resource(id);
      expect(Properties.Runtime, id).toBeUndefined();
      expect(Metadata?.BuildProperties?.Target, id).toBe('node24');
    }
  });

  it('gives the triggers the table name only, and the pool id to the non-triggers', () => {
    expect(environmentOf('PostConfirmationFunction')).toEqual({ DDB_TABLE: { Ref: 'ProfileTable' }, SOURCE_EMAIL: { Ref: 'WelcomeFromAddress' } });
    expect(environmentOf('PreTokenGenerationFunction')).toEqual({ DDB_TABLE: { Ref: 'ProfileTable' } });
    expect(environmentOf('AdminChangeFunction')).toEqual({
      DDB_TABLE: { Ref: 'ProfileTable' },
      USER_POOL_ID: { Ref: 'UserPool' },
      ON_DELETE: { Ref: 'OnDelete' },
    });
    expect(environmentOf('ReconcileFunction')).toEqual({
      DDB_TABLE: { Ref: 'ProfileTable' },
      USER_POOL_ID: { Ref: 'UserPool' },
      ORPHANS: { Ref: 'ReconcileOrphans' },
      SOURCE_EMAIL: { Ref: 'WelcomeFromAddress' },
    });
  });

  describe('permissions', () => {
    it('gives PostConfirmation PutItem only without a welcome sender', () => {
      expect(statementsOf('PostConfirmationFunction')).toEqual([
        { Sid: 'CreateProfile', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: TABLE_ARN },
      ]);
    });

    it('adds UpdateItem and SendEmail from the one address with a welcome sender', () => {
      expect(statementsOf('PostConfirmationFunction', { ...DEFAULTS, SendWelcome: true })).toEqual([
        { Sid: 'CreateProfile', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: TABLE_ARN },
        { Sid: 'RecordWelcome', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: TABLE_ARN },
        SEND_WELCOME,
      ]);
    });

    it('gives PreTokenGeneration UpdateItem on the table only', () => {
      expect(statementsOf('PreTokenGenerationFunction', { SendWelcome: true, DeleteRows: true, DeleteOrphans: true })).toEqual([
        { Sid: 'UpsertProfileAtSignIn', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: TABLE_ARN },
      ]);
    });

    it('gives admin-change UpdateItem, DeleteItem only when deleting rows, and ListUsers on the pool', () => {
      const listUsers = { Sid: 'ReadChangedUserBySub', Effect: 'Allow', Action: 'cognito-idp:ListUsers', Resource: POOL_ARN };
      expect(statementsOf('AdminChangeFunction')).toEqual([
        { Sid: 'ApplyAdminChange', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: TABLE_ARN },
        listUsers,
      ]);
      expect(statementsOf('AdminChangeFunction', { ...DEFAULTS, DeleteRows: true })).toEqual([
        { Sid: 'ApplyAdminChange', Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: TABLE_ARN },
        listUsers,
      ]);
    });

    it('gives reconcile its reads and writes, the cursor actions on the cursor item only, ListUsers, and the welcome send', () => {
      const listUsers = { Sid: 'ListPoolUsers', Effect: 'Allow', Action: 'cognito-idp:ListUsers', Resource: POOL_ARN };
      expect(statementsOf('ReconcileFunction')).toEqual([
        { Sid: 'ReconcileProfiles', Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'], Resource: TABLE_ARN },
        RESUME_CURSOR,
        listUsers,
      ]);
      expect(statementsOf('ReconcileFunction', { ...DEFAULTS, SendWelcome: true, DeleteOrphans: true })).toEqual([
        {
          Sid: 'ReconcileProfiles',
          Effect: 'Allow',
          Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan', 'dynamodb:DeleteItem'],
          Resource: TABLE_ARN,
        },
        RESUME_CURSOR,
        listUsers,
        SEND_WELCOME,
      ]);
    });

    it('grants no wildcard action, no managed policy but AWSLambdaBasicExecutionRole and no role of its own making', () => {
      const text = JSON.stringify(template.Resources);
      expect(text).not.toMatch(/FullAccess|ManagedPolicyArns|PowerUser|AdministratorAccess/);
      // The managed policies SAM's transform puts on the role it makes for a function with no
      // `Role`: AWSLambdaBasicExecutionRole always, the X-Ray one with `Tracing`, the VPC one
      // with `VpcConfig`, and each policy of `Policies` given by name, ARN or SAM template.
      for (const fn of FUNCTIONS) {
        const sam = { ...template.Globals?.Function, ...resource(fn, { SendWelcome: true, DeleteRows: true, DeleteOrphans: true }).Properties };
        const managed = [
          ...(sam.Role === undefined ? ['service-role/AWSLambdaBasicExecutionRole'] : ['a role of its own: Role']),
          ...(sam.Tracing ? ['AWSXrayWriteOnlyAccess'] : []),
          ...(sam.VpcConfig ? ['service-role/AWSLambdaVPCAccessExecutionRole'] : []),
          ...[sam.Policies ?? []].flat().filter((policy) => typeof policy !== 'object' || policy === null || !('Statement' in policy)),
        ];
        expect(managed, fn).toEqual(['service-role/AWSLambdaBasicExecutionRole']);
      }
      expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role')).toEqual([]);
      const all = { SendWelcome: true, DeleteRows: true, DeleteOrphans: true };
      for (const fn of FUNCTIONS) {
        for (const statement of statementsOf(fn, all) as { Action: string | string[]; Resource: unknown }[]) {
          for (const action of [statement.Action].flat()) expect(action, fn).toMatch(/^(dynamodb|cognito-idp|ses):[A-Za-z]+$/);
          expect(statement.Resource, fn).not.toBe('*');
        }
      }
    });
  });

  it('routes the documented CloudTrail user-pool calls to admin-change, with a dead-letter queue', () => {
    const { Properties } = resource('AdminChangeFunction');
    expect(Properties.Events).toEqual({
      CognitoApiCall: { Type: 'EventBridgeRule', Properties: { Pattern: documentedAdminChangePattern() } },
    });
    expect(Properties.DeadLetterQueue).toEqual({ Type: 'SQS', TargetArn: { 'Fn::GetAtt': ['AdminChangeDeadLetters', 'Arn'] } });
    expect(resource('AdminChangeDeadLetters').Properties).toMatchObject({ SqsManagedSseEnabled: true });
  });

  it('runs reconcile on the schedule parameter, daily by default, for up to 15 minutes', () => {
    const { Properties } = resource('ReconcileFunction');
    expect(Properties).toMatchObject({ Timeout: 900, MemorySize: 512 });
    expect(Properties.Events).toEqual({
      Scheduled: { Type: 'Schedule', Properties: { Schedule: { Ref: 'ReconcileSchedule' }, Description: expect.any(String) } },
    });
    expect(template.Parameters?.ReconcileSchedule?.Default).toBe('rate(1 day)');
    expect(template.Parameters?.ReconcileOrphans).toMatchObject({ Default: 'report', AllowedValues: ['report', 'mark', 'delete'] });
  });

  describe('esbuild builds', () => {
    // Inside node_modules so that the bundles' external imports (@aws-sdk/*) resolve from
    // this package's node_modules, as they resolve from the Lambda runtime's.
    const outdir = join(process.cwd(), 'node_modules', '.cache', 'cognito-profile-sync-examples', 'sam');
    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    /** Runs esbuild with the function's BuildProperties, as `sam build` does. */
    async function samBuild(id: string) {
      const { Properties, Metadata } = resource(id);
      const props = Metadata!.BuildProperties as {
        Format: 'esm';
        OutExtension: string[];
        Target: string;
        Platform: 'node';
        Minify: boolean;
        External: string[];
        EntryPoints: string[];
      };
      expect(Metadata!.BuildMethod).toBe('esbuild');
      const functionOut = join(outdir, id);
      const result = await build({
        absWorkingDir: join(SAM_DIR, String(template.Globals!.Function!.CodeUri)),
        entryPoints: props.EntryPoints,
        bundle: true,
        format: props.Format,
        outExtension: Object.fromEntries(props.OutExtension.map((pair) => pair.split('='))),
        target: props.Target,
        platform: props.Platform,
        minify: props.Minify,
        external: props.External,
        outdir: functionOut,
        logLevel: 'silent',
      });
      expect(result.errors).toEqual([]);
      // `file.handler`: Lambda loads file.mjs from the build output and calls its `handler`.
      const [file, exported] = String(Properties.Handler).split('.');
      return { path: join(functionOut, `${file}.mjs`), exported: exported! };
    }

    it.each(FUNCTIONS)('bundles %s into the module its Handler names, which loads with the template environment', async (id) => {
      const { path, exported } = await samBuild(id);
      expect(existsSync(path)).toBe(true);
      // The AWS SDK is left to the Lambda runtime, not bundled.
      expect(readFileSync(path, 'utf8')).toMatch(/from\s*"@aws-sdk\/client-dynamodb"/);
      expect(readFileSync(path, 'utf8')).not.toContain('@smithy/');
      const placeholders: Record<string, string> = {
        ProfileTable: 'profiles',
        UserPool: 'eu-west-1_Example1',
        WelcomeFromAddress: 'hello@example.com',
        OnDelete: 'mark',
        ReconcileOrphans: 'report',
      };
      const variables = environmentOf(id);
      for (const [name, value] of Object.entries(variables)) process.env[name] = placeholders[(value as { Ref: string }).Ref];
      try {
        const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
        expect(typeof module[exported]).toBe('function');
      } finally {
        for (const name of Object.keys(variables)) delete process.env[name];
      }
    });
  });
});
