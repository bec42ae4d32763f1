import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ProfileSyncStack, type ProfileSyncStackProps } from '../../examples/cdk/lib/profile-sync-stack.js';
import { assertAcyclic, documentedAdminChangePattern, PACKAGE, type CfnTemplate } from './helpers.js';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const TABLE_ARN = { 'Fn::GetAtt': [expect.stringMatching(/^ProfileTable/), 'Arn'] };
const POOL_ARN = { 'Fn::GetAtt': [expect.stringMatching(/^UserPool[0-9A-F]+$/), 'Arn'] };
const LOG_GROUP_ARN = (prefix: string) => ({ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${prefix}Logs`)), 'Arn'] });
const SES_ANY_IDENTITY_HERE = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':identity/*']],
};
const SEND_WELCOME = {
  Sid: 'SendWelcomeFromOneAddress',
  Effect: 'Allow',
  Action: 'ses:SendEmail',
  Resource: SES_ANY_IDENTITY_HERE,
  Condition: { StringEquals: { 'ses:FromAddress': 'hello@example.com' } },
};
const RESUME_CURSOR = {
  Sid: 'ReadResumeCursor',
  Effect: 'Allow',
  Action: 'dynamodb:GetItem',
  Resource: TABLE_ARN,
  Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#reconcile-cursor'] } },
};

// Inside node_modules so that the bundles' external imports (@aws-sdk/*) resolve from this
// package's node_modules, as they resolve from the Lambda runtime's.
const OUT_ROOT = join(process.cwd(), 'node_modules', '.cache', 'cognito-profile-sync-examples', `cdk-${process.pid}`);
afterAll(() => rmSync(OUT_ROOT, { recursive: true, force: true }));

/**
 * Synthesizes the example stack in-process as `cdk synth` does: the real `NodejsFunction`s,
 * each bundled by the local esbuild (no Docker), into a cloud assembly of its own.
 */
function synth(props: ProfileSyncStackProps, name: string) {
  const outdir = join(OUT_ROOT, name);
  rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  const stack = new ProfileSyncStack(app, 'Example', { env: ENV, ...props });
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as CfnTemplate, outdir };
}

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Every statement the function's execution role can use, with the role's own settings. */
function permissionsOf(json: CfnTemplate, stack: Stack, fn: IConstruct) {
  const fnResource = json.Resources[logicalId(stack, fn)]!;
  const roleId = (fnResource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const role = json.Resources[roleId]!;
  const policies = Object.values(json.Resources).filter(
    (resource) =>
      resource.Type === 'AWS::IAM::Policy' &&
      (resource.Properties!.Roles as unknown[]).some((ref) => (ref as { Ref?: string }).Ref === roleId),
  );
  return {
    role: role.Properties!,
    statements: policies.flatMap(
      (policy) => (policy.Properties!.PolicyDocument as { Statement: unknown[] }).Statement,
    ),
  };
}

describe('examples/cdk', () => {
  describe('with a welcome sender', () => {
    const { app, stack, template, json, outdir } = synth({ welcomeFrom: 'hello@example.com' }, 'welcome');
    const example = stack as ProfileSyncStack;

    it('keeps profiles in an on-demand table keyed by userId, with PITR, retained on delete', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      });
    });

    it('wires PostConfirmation and PreTokenGeneration to their functions, and lets only this pool invoke them', () => {
      const postConfirmation = logicalId(stack, example.postConfirmation);
      const preTokenGeneration = logicalId(stack, example.preTokenGeneration);
      const pool = logicalId(stack, example.userPool);

      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        LambdaConfig: {
          PostConfirmation: { 'Fn::GetAtt': [postConfirmation, 'Arn'] },
          PreTokenGeneration: { 'Fn::GetAtt': [preTokenGeneration, 'Arn'] },
        },
      });
      for (const fn of [postConfirmation, preTokenGeneration]) {
        template.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunction',
          Principal: 'cognito-idp.amazonaws.com',
          FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
          SourceArn: { 'Fn::GetAtt': [pool, 'Arn'] },
        });
      }
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        UserPoolId: { Ref: pool },
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      });
    });

    it('runs every function on nodejs24.x with the table name, and only the non-triggers get the pool id', () => {
      const table = logicalId(stack, example.table);
      const pool = { Ref: logicalId(stack, example.userPool) };
      const functions = template.findResources('AWS::Lambda::Function');
      expect(Object.keys(functions)).toHaveLength(4);
      for (const resource of Object.values(functions)) {
        expect(resource.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
        expect(resource.Properties.Environment.Variables.DDB_TABLE).toEqual({ Ref: table });
      }
      const env = (fn: IConstruct) => json.Resources[logicalId(stack, fn)]!.Properties!.Environment;
      expect(env(example.postConfirmation)).toEqual({ Variables: { DDB_TABLE: { Ref: table }, SOURCE_EMAIL: 'hello@example.com' } });
      expect(env(example.preTokenGeneration)).toEqual({ Variables: { DDB_TABLE: { Ref: table } } });
      expect(env(example.adminChange)).toEqual({ Variables: { DDB_TABLE: { Ref: table }, USER_POOL_ID: pool, ON_DELETE: 'mark' } });
      expect(env(example.reconcile)).toEqual({
        Variables: { DDB_TABLE: { Ref: table }, USER_POOL_ID: pool, ORPHANS: 'report', SOURCE_EMAIL: 'hello@example.com' },
      });
    });

    it('gives PostConfirmation PutItem and UpdateItem on the table and SendEmail from the one address', () => {
      const { role, statements } = permissionsOf(json, stack, example.postConfirmation);

      expect(role).not.toHaveProperty('ManagedPolicyArns');
      expect(role).not.toHaveProperty('Policies');
      expect(statements).toEqual([
        { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: LOG_GROUP_ARN('PostConfirmation') },
        { Sid: 'CreateProfileAndRecordWelcome', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: TABLE_ARN },
        SEND_WELCOME,
      ]);
    });

    it('gives PreTokenGeneration UpdateItem on the table only', () => {
      const { role, statements } = permissionsOf(json, stack, example.preTokenGeneration);

      expect(role).not.toHaveProperty('ManagedPolicyArns');
      expect(statements).toEqual([
        { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: LOG_GROUP_ARN('PreTokenGeneration') },
        { Sid: 'UpsertProfileAtSignIn', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: TABLE_ARN },
      ]);
    });

    it('gives admin-change UpdateItem on the table, ListUsers on the pool and its dead-letter queue', () => {
      const { role, statements } = permissionsOf(json, stack, example.adminChange);

      expect(role).not.toHaveProperty('ManagedPolicyArns');
      expect(statements).toEqual([
        { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: LOG_GROUP_ARN('AdminChange') },
        { Sid: 'ApplyAdminChange', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: TABLE_ARN },
        { Sid: 'ReadChangedUserBySub', Effect: 'Allow', Action: 'cognito-idp:ListUsers', Resource: POOL_ARN },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [logicalId(stack, example.adminChange.deadLetterQueue!), 'Arn'] },
        },
      ]);
    });

    it('gives reconcile its reads and writes on the table, the cursor actions on the cursor item only, ListUsers on the pool and the welcome send', () => {
      const { role, statements } = permissionsOf(json, stack, example.reconcile);

      expect(role).not.toHaveProperty('ManagedPolicyArns');
      expect(statements).toEqual([
        { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: LOG_GROUP_ARN('Reconcile') },
        {
          Sid: 'ReconcileProfiles',
          Effect: 'Allow',
          Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'],
          Resource: TABLE_ARN,
        },
        RESUME_CURSOR,
        { Sid: 'ListPoolUsers', Effect: 'Allow', Action: 'cognito-idp:ListUsers', Resource: POOL_ARN },
        SEND_WELCOME,
      ]);
    });

    it("scopes the cursor statement to the library's own cursor key", async () => {
      // The statements above expect '#reconcile-cursor'; the stack takes it from the library.
      const library = (await import(PACKAGE)) as { RECONCILE_CURSOR_KEY?: unknown };
      expect(library.RECONCILE_CURSOR_KEY).toBe('#reconcile-cursor');
    });

    it('runs reconcile daily for up to 15 minutes', () => {
      const reconcile = logicalId(stack, example.reconcile);

      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 day)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [reconcile, 'Arn'] } })],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Principal: 'events.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [reconcile, 'Arn'] },
      });
      expect(json.Resources[reconcile]!.Properties).toMatchObject({ Timeout: 900, MemorySize: 512 });
    });

    it('grants no wildcard action and attaches no AWS managed policy anywhere', () => {
      const iam = Object.values(json.Resources).filter((resource) => resource.Type.startsWith('AWS::IAM::'));
      const text = JSON.stringify(iam);

      expect(iam.length).toBeGreaterThanOrEqual(8);
      expect(text).not.toContain('ManagedPolicyArns');
      expect(text).not.toContain('FullAccess');
      const actions = iam.flatMap((resource) =>
        ((resource.Properties!.PolicyDocument as { Statement?: { Action: string | string[] }[] } | undefined)?.Statement ?? []).flatMap(
          (statement) => statement.Action,
        ),
      );
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) expect(action).not.toContain('*');
    });

    it('routes the documented CloudTrail user-pool calls to the admin-change function', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: documentedAdminChangePattern(),
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack, example.adminChange), 'Arn'] } })],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Principal: 'events.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [logicalId(stack, example.adminChange), 'Arn'] },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalId(stack, example.adminChange.deadLetterQueue!), 'Arn'] } },
      });
    });

    it('has no dependency cycle between the pool, its triggers and their policies', () => {
      expect(() => assertAcyclic(json)).not.toThrow();
    });

    it('passes the cdk-nag AwsSolutions checks, with only the reviewed acknowledgements', () => {
      const report = new AwsSolutionsChecks().validateScope(app);
      const acknowledged = stack.node
        .findAll()
        .flatMap((construct) =>
          construct.node.metadata
            .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
            .flatMap((entry) =>
              Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason })),
            ),
        );

      expect(report.violations.map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
      expect(acknowledged.map(({ path, id }) => `${path} ${id.replace(/^annotation::/i, '')}`).sort()).toEqual([
        'Example/AdminChangeDeadLetters AwsSolutions-SQS3',
        'Example/PostConfirmationRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
        'Example/ReconcileRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
        'Example/UserPool AwsSolutions-COG8',
      ]);
      for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(60);
    });

    it("builds each handler as one small ESM file that leaves the AWS SDK to the runtime and starts with the stack's environment", async () => {
      const placeholders: Record<string, string> = {
        [logicalId(stack, example.table)]: 'profiles',
        [logicalId(stack, example.userPool)]: 'eu-west-1_Example1',
      };
      const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
      expect(assets).toHaveLength(4);

      for (const fn of [example.postConfirmation, example.preTokenGeneration, example.adminChange, example.reconcile]) {
        const properties = json.Resources[logicalId(stack, fn)]!.Properties!;
        const hash = String((properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
        const file = join(outdir, `asset.${hash}`, 'index.mjs');
        expect(existsSync(file), `bundle of ${fn.node.id}`).toBe(true);
        const code = readFileSync(file, 'utf8');
        expect(code.length).toBeLessThan(60_000);
        expect(code).toMatch(/from\s*"@aws-sdk\/client-dynamodb"/);
        expect(code).not.toContain('@smithy/');

        const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
        for (const [name, value] of Object.entries(variables)) {
          process.env[name] = typeof value === 'string' ? value : placeholders[(value as { Ref: string }).Ref];
        }
        try {
          const module = (await import(pathToFileURL(file).href)) as { handler?: unknown };
          expect(typeof module.handler, `handler of ${fn.node.id}`).toBe('function');
        } finally {
          for (const name of Object.keys(variables)) delete process.env[name];
        }
      }
    });
  });

  describe('without a welcome sender, deleting rows', () => {
    const { app, stack, template, json } = synth(
      { onDelete: 'delete', orphans: 'delete', reconcileSchedule: Schedule.cron({ minute: '30', hour: '3' }) },
      'no-welcome',
    );
    const example = stack as ProfileSyncStack;

    it('gives PostConfirmation PutItem only, and no SES permission', () => {
      const { statements } = permissionsOf(json, stack, example.postConfirmation);

      expect(statements).toEqual([
        { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: LOG_GROUP_ARN('PostConfirmation') },
        { Sid: 'CreateProfileAndRecordWelcome', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: TABLE_ARN },
      ]);
      expect(JSON.stringify(json)).not.toContain('ses:');
      expect(json.Resources[logicalId(stack, example.postConfirmation)]!.Properties!.Environment).toEqual({
        Variables: { DDB_TABLE: { Ref: logicalId(stack, example.table) } },
      });
    });

    it('adds DeleteItem for admin-change and tells the function to delete', () => {
      const { statements } = permissionsOf(json, stack, example.adminChange);

      expect(statements).toContainEqual({
        Sid: 'ApplyAdminChange',
        Effect: 'Allow',
        Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: TABLE_ARN,
      });
      expect(json.Resources[logicalId(stack, example.adminChange)]!.Properties!.Environment).toMatchObject({
        Variables: { ON_DELETE: 'delete' },
      });
    });

    it('lets reconcile delete orphan rows, on its own schedule, and send nothing', () => {
      const { statements } = permissionsOf(json, stack, example.reconcile);

      expect(statements).toEqual([
        { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: LOG_GROUP_ARN('Reconcile') },
        {
          Sid: 'ReconcileProfiles',
          Effect: 'Allow',
          Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan', 'dynamodb:DeleteItem'],
          Resource: TABLE_ARN,
        },
        RESUME_CURSOR,
        { Sid: 'ListPoolUsers', Effect: 'Allow', Action: 'cognito-idp:ListUsers', Resource: POOL_ARN },
      ]);
      expect(json.Resources[logicalId(stack, example.reconcile)]!.Properties!.Environment).toMatchObject({
        Variables: { ORPHANS: 'delete' },
      });
      expect(json.Resources[logicalId(stack, example.reconcile)]!.Properties!.Environment).not.toHaveProperty('Variables.SOURCE_EMAIL');
      template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 3 * * ? *)' });
    });

    it('passes the cdk-nag AwsSolutions checks with no acknowledgement left unused', () => {
      expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
      const acknowledged = stack.node.findAll().filter((c) => c.node.metadata.some((e) => e.type === 'aws:cdk:acknowledged-rules'));
      expect(acknowledged.map((c) => c.node.id).sort()).toEqual(['AdminChangeDeadLetters', 'UserPool']);
    });
  });
});
