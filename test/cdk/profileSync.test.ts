import { App, Stack, type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ProfileSync, type ProfileSyncProps } from '../../src/cdk/index.js';
import { ConfigurationError } from '../../src/index.js';
import { assertAcyclic, documentedAdminChangePattern, type CfnTemplate } from '../examples/helpers.js';
import { grantsIn, wildcardGrants } from '../support/cdkTemplate.js';

/*
 * The construct synthesized in-process, as `cdk synth` does: the ready handlers come from the
 * package's dist/functions (built by `npm test`); a team's entry is bundled by the local
 * esbuild (no Docker). Nothing is deployed: `cdk deploy` needs an AWS account. What the
 * template says is asserted instead: the wiring, each role's exact statements, cdk-nag.
 */

const ENV = { account: '123456789012', region: 'eu-west-1' };
// Inside node_modules, so that a bundle's external imports (@aws-sdk/*) resolve as in Lambda.
const OUT_ROOT = join(process.cwd(), 'node_modules', '.cache', 'cognito-profile-sync-cdk', `construct-${process.pid}`);
afterAll(() => rmSync(OUT_ROOT, { recursive: true, force: true }));

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const SES_ANY_IDENTITY_HERE = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':identity/*']],
};
const IAM5_SES = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]';

/** A user pool that passes cdk-nag on its own, so that any finding is the construct's. */
function compliantPool(stack: Stack): cognito.UserPool {
  return new cognito.UserPool(stack, 'UserPool', {
    signInAliases: { email: true },
    selfSignUpEnabled: true,
    passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    featurePlan: cognito.FeaturePlan.PLUS,
    standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
  });
}

function synth(name: string, props: (stack: Stack, userPool: cognito.UserPool) => Omit<ProfileSyncProps, 'userPool'> = () => ({})) {
  const outdir = join(OUT_ROOT, name);
  const app = new App({ outdir });
  const stack = new Stack(app, 'Stack', { env: ENV });
  const userPool = compliantPool(stack);
  const profiles = new ProfileSync(stack, 'Profiles', { userPool, ...props(stack, userPool) });
  const template = Template.fromStack(stack);
  return { app, stack, userPool, profiles, template, json: template.toJSON() as CfnTemplate, outdir };
}

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

const arnOf = (stack: Stack, construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(stack, construct), 'Arn'] });

/** The statements of a function's role, without the holder, in order. */
function statementsOf(json: CfnTemplate, stack: Stack, fn: IConstruct) {
  const role = (json.Resources[logicalId(stack, fn)]!.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  expect(json.Resources[role]!.Properties).not.toHaveProperty('ManagedPolicyArns');
  expect(json.Resources[role]!.Properties).not.toHaveProperty('Policies');
  const policies = Object.entries(json.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties!.Roles) === JSON.stringify([{ Ref: role }]))
    .map(([id]) => id);
  return grantsIn(json)
    .filter((grant) => policies.includes(grant.holder))
    .map(({ holder: _holder, ...statement }) => statement);
}

function environmentOf(json: CfnTemplate, stack: Stack, fn: IConstruct) {
  return (json.Resources[logicalId(stack, fn)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The rules acknowledged under `scope`, as `path rule`, with their reasons. */
function acknowledgements(scope: IConstruct) {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ at: `${construct.node.path} ${id.replace(/^annotation::/i, '')}`, reason }))),
  );
}

describe('ProfileSync with its defaults', () => {
  const { app, stack, userPool, profiles, template, json, outdir } = synth('defaults');
  const fns = profiles.functions;
  const table = arnOf(stack, profiles.table);
  const pool = arnOf(stack, userPool);

  it('creates the profile table: userId key, on-demand, point-in-time recovery, encrypted, kept on delete', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it('deploys four ready handlers on nodejs24.x, each from its own bundle folder', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    for (const fn of [fns.postConfirmation, fns.preTokenGeneration, fns.adminChanges, fns.reconcile]) {
      expect(json.Resources[logicalId(stack, fn!)]!.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Code: { S3Key: expect.stringMatching(/\.zip$/) },
      });
    }
    expect(json.Resources[logicalId(stack, fns.reconcile!)]!.Properties).toMatchObject({ Timeout: 900, MemorySize: 512, ReservedConcurrentExecutions: 1 });
    expect(json.Resources[logicalId(stack, fns.postConfirmation)]!.Properties).toMatchObject({ Timeout: 5 });
  });

  it('configures each function through its environment, and only the non-triggers know the pool', () => {
    const tableName = { Ref: logicalId(stack, profiles.table) };
    const poolId = { Ref: logicalId(stack, userPool) };

    expect(environmentOf(json, stack, fns.postConfirmation)).toEqual({ TABLE_NAME: tableName });
    expect(environmentOf(json, stack, fns.preTokenGeneration!)).toEqual({ TABLE_NAME: tableName });
    expect(environmentOf(json, stack, fns.adminChanges!)).toEqual({ TABLE_NAME: tableName, USER_POOL_ID: poolId, ON_DELETE: 'mark' });
    expect(environmentOf(json, stack, fns.reconcile!)).toEqual({ TABLE_NAME: tableName, USER_POOL_ID: poolId, ORPHANS: 'report' });
  });

  it("sets the pool's PostConfirmation and V1_0 PreTokenGeneration triggers, invocable by this pool only", () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PostConfirmation: arnOf(stack, fns.postConfirmation),
        PreTokenGenerationConfig: { LambdaArn: arnOf(stack, fns.preTokenGeneration!), LambdaVersion: 'V1_0' },
      },
    });
    for (const fn of [fns.postConfirmation, fns.preTokenGeneration!]) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        FunctionName: arnOf(stack, fn),
        SourceArn: pool,
      });
    }
  });

  it("gives each function's role exactly the README's statements, on the table's and the pool's ARNs", () => {
    const writeOwnLogs = (fn: IConstruct) => ({ Sid: 'WriteOwnLogs', Effect: 'Allow', Action: LOGS, Resource: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^Profiles${fn.node.id}Logs`)), 'Arn'] } });

    expect(statementsOf(json, stack, fns.postConfirmation)).toEqual([
      writeOwnLogs(fns.postConfirmation),
      { Sid: 'CreateProfileAndRecordWelcome', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: table },
    ]);
    expect(statementsOf(json, stack, fns.preTokenGeneration!)).toEqual([
      writeOwnLogs(fns.preTokenGeneration!),
      { Sid: 'UpsertProfileAtSignIn', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: table },
    ]);
    expect(statementsOf(json, stack, fns.adminChanges!)).toEqual([
      writeOwnLogs(fns.adminChanges!),
      { Sid: 'ApplyAdminChange', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: table },
      { Sid: 'ReadChangedUserBySub', Effect: 'Allow', Action: 'cognito-idp:ListUsers', Resource: pool },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(stack, fns.adminChanges!.deadLetterQueue!) },
    ]);
    expect(statementsOf(json, stack, fns.reconcile!)).toEqual([
      writeOwnLogs(fns.reconcile!),
      { Sid: 'ReconcileProfiles', Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'], Resource: table },
      {
        Sid: 'ReadResumeCursor',
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: table,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#reconcile-cursor'] } },
      },
      { Sid: 'ListPoolUsers', Effect: 'Allow', Action: 'cognito-idp:ListUsers', Resource: pool },
    ]);
    expect(JSON.stringify(json)).not.toContain('ses:');
  });

  it('grants no wildcard DynamoDB, SES or Cognito permission anywhere in the template', () => {
    expect(grantsIn(json).length).toBeGreaterThanOrEqual(12);
    expect(wildcardGrants(json)).toEqual([]);
  });

  it('routes the README’s CloudTrail user-pool calls to the admin-changes function, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: documentedAdminChangePattern(),
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: arnOf(stack, fns.adminChanges!) })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: arnOf(stack, fns.adminChanges!) });
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: { TargetArn: arnOf(stack, fns.adminChanges!.deadLetterQueue!) } });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('runs reconcile daily from EventBridge Scheduler, whose role may invoke that function and nothing else', () => {
    const schedule = stack.getLogicalId(profiles.reconcileSchedule!);
    const { RoleArn, Arn } = (json.Resources[schedule]!.Properties!.Target as { RoleArn: { 'Fn::GetAtt': [string, string] }; Arn: unknown });

    expect(json.Resources[schedule]!.Properties).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(Arn).toEqual(arnOf(stack, fns.reconcile!));
    const role = RoleArn['Fn::GetAtt'][0];
    expect(json.Resources[role]!.Properties!.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
    });
    expect(grantsIn(json).filter((grant) => JSON.stringify(json.Resources[grant.holder]!.Properties!.Roles) === JSON.stringify([{ Ref: role }]))).toEqual([
      expect.objectContaining({ Sid: 'StartReconcile', Action: 'lambda:InvokeFunction', Resource: arnOf(stack, fns.reconcile!) }),
    ]);
  });

  it('has no dependency cycle between the pool, its triggers and their roles', () => {
    expect(() => assertAcyclic(json)).not.toThrow();
  });

  it('passes the cdk-nag AwsSolutions checks, acknowledging only the dead-letter queue, with a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
    expect(acknowledgements(profiles).map(({ at }) => at)).toEqual(['Stack/Profiles/AdminChangesDeadLetters AwsSolutions-SQS3']);
    for (const { reason } of acknowledgements(profiles)) expect(reason.length).toBeGreaterThan(60);
    // cdk-nag v2 reads its own metadata on the resources instead.
    template.hasResource('AWS::SQS::Queue', { Metadata: { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-SQS3', reason: Match.stringLikeRegexp('dead-letter queue') }] } } });
  });

  it("ships each handler's bundle alone in its asset, which loads with the template's environment and no CDK code", async () => {
    const placeholders: Record<string, string> = { [logicalId(stack, profiles.table)]: 'profiles', [logicalId(stack, userPool)]: 'eu-west-1_Example1' };
    for (const fn of [fns.postConfirmation, fns.preTokenGeneration!, fns.adminChanges!, fns.reconcile!]) {
      const hash = String((json.Resources[logicalId(stack, fn)]!.Properties!.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
      const folder = join(outdir, `asset.${hash}`);
      expect(readdirSync(folder), fn.node.id).toEqual(['index.mjs']);
      const code = readFileSync(join(folder, 'index.mjs'), 'utf8');
      expect(code).not.toMatch(/aws-cdk-lib|constructs/);
      expect(code).toMatch(/from\s*["']@aws-sdk\/client-dynamodb["']/);

      const variables = environmentOf(json, stack, fn);
      for (const [name, value] of Object.entries(variables)) process.env[name] = typeof value === 'string' ? value : placeholders[(value as { Ref: string }).Ref];
      try {
        const module = (await import(`${pathToFileURL(join(folder, 'index.mjs')).href}?${fn.node.id}`)) as { handler?: unknown };
        expect(typeof module.handler, fn.node.id).toBe('function');
      } finally {
        for (const name of Object.keys(variables)) delete process.env[name];
      }
    }
  });
});

describe('ProfileSync with everything configured, on a table of yours', () => {
  const { app, stack, userPool, profiles, template, json } = synth('configured', (scope) => ({
    table: new dynamodb.Table(scope, 'Members', { partitionKey: { name: 'memberId', type: dynamodb.AttributeType.STRING }, billingMode: dynamodb.BillingMode.PAY_PER_REQUEST, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } }),
    partitionKey: 'memberId',
    welcome: { from: 'Example <hello@example.com>', subject: 'Welcome, {{givenName|friend}}!', text: 'Dear {{name|member}}', html: '<p>Dear {{name|member}}</p>' },
    preTokenGeneration: { version: 'V2_0', claims: { plan: 'plan' }, accessTokenClaims: { tier: 'plan' } },
    adminChanges: { onDelete: 'delete' },
    reconcile: { schedule: 'cron(30 3 * * ? *)', orphans: 'delete', orphanSlices: 32 },
    logRetention: logs.RetentionDays.ONE_WEEK,
  }));
  const fns = profiles.functions;
  const sendWelcome = {
    Sid: 'SendWelcomeFromOneAddress',
    Effect: 'Allow',
    Action: 'ses:SendEmail',
    Resource: SES_ANY_IDENTITY_HERE,
    Condition: { StringEquals: { 'ses:FromAddress': 'hello@example.com' } },
  };

  it('uses your table and creates none, telling the functions its key', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(profiles.table.node.id).toBe('Members');
    for (const fn of Object.values(fns)) expect(environmentOf(json, stack, fn!)).toMatchObject({ TABLE_NAME: { Ref: logicalId(stack, profiles.table) }, PARTITION_KEY: 'memberId' });
  });

  it('gives the welcome to PostConfirmation, PreTokenGeneration (admin-created users) and reconcile, with SendEmail from the bare sender address only', () => {
    const welcome = { WELCOME_FROM: 'Example <hello@example.com>', WELCOME_SUBJECT: 'Welcome, {{givenName|friend}}!', WELCOME_TEXT: 'Dear {{name|member}}', WELCOME_HTML: '<p>Dear {{name|member}}</p>' };

    expect(environmentOf(json, stack, fns.postConfirmation)).toMatchObject(welcome);
    expect(environmentOf(json, stack, fns.reconcile!)).toMatchObject(welcome);
    expect(environmentOf(json, stack, fns.preTokenGeneration!)).toMatchObject(welcome);
    expect(statementsOf(json, stack, fns.postConfirmation).slice(1)).toEqual([
      { Sid: 'CreateProfileAndRecordWelcome', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: arnOf(stack, profiles.table) },
      sendWelcome,
    ]);
    expect(statementsOf(json, stack, fns.preTokenGeneration!).slice(1)).toEqual([
      { Sid: 'UpsertProfileAtSignIn', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: arnOf(stack, profiles.table) },
      sendWelcome,
    ]);
    expect(statementsOf(json, stack, fns.reconcile!).at(-1)).toEqual(sendWelcome);
    expect(grantsIn(json).filter((grant) => String(grant.Action).startsWith('ses:'))).toHaveLength(3);
  });

  it('asks Cognito for V2_0 events and passes the claims as JSON', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: arnOf(stack, fns.preTokenGeneration!), LambdaVersion: 'V2_0' } },
    });
    expect(environmentOf(json, stack, fns.preTokenGeneration!)).toMatchObject({ CLAIMS: '{"plan":"plan"}', ACCESS_TOKEN_CLAIMS: '{"tier":"plan"}' });
  });

  it('adds DeleteItem only where deleting was asked for, and schedules reconcile as asked', () => {
    expect(statementsOf(json, stack, fns.adminChanges!)).toContainEqual({ Sid: 'ApplyAdminChange', Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: arnOf(stack, profiles.table) });
    expect(statementsOf(json, stack, fns.reconcile!)).toContainEqual(expect.objectContaining({ Sid: 'ReconcileProfiles', Action: expect.arrayContaining(['dynamodb:DeleteItem']) }));
    expect(environmentOf(json, stack, fns.adminChanges!)).toMatchObject({ ON_DELETE: 'delete' });
    expect(environmentOf(json, stack, fns.reconcile!)).toMatchObject({ ORPHANS: 'delete', ORPHAN_SLICES: '32' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 3 * * ? *)' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('grants no wildcard, has no cycle, and passes cdk-nag with the SES acknowledgements on the three roles that send', () => {
    expect(wildcardGrants(json)).toEqual([]);
    expect(() => assertAcyclic(json)).not.toThrow();
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    expect(acknowledgements(profiles).map(({ at }) => at).sort()).toEqual([
      'Stack/Profiles/AdminChangesDeadLetters AwsSolutions-SQS3',
      `Stack/Profiles/PostConfirmationRole ${IAM5_SES}`,
      `Stack/Profiles/PreTokenGenerationRole ${IAM5_SES}`,
      `Stack/Profiles/ReconcileRole ${IAM5_SES}`,
    ]);
    expect(userPool.node.metadata).toEqual([]);
  });
});

describe('ProfileSync with the optional parts turned off', () => {
  const { stack, profiles, template, json } = synth('minimal', () => ({ preTokenGeneration: false, adminChanges: false, reconcile: false }));

  it('deploys PostConfirmation alone: no rule, no schedule, no pool reference', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(profiles.functions).toEqual({ postConfirmation: expect.anything(), preTokenGeneration: undefined, adminChanges: undefined, reconcile: undefined });
    expect(json.Resources[logicalId(stack, stack.node.findChild('UserPool'))]!.Properties!.LambdaConfig).toEqual({ PostConfirmation: arnOf(stack, profiles.functions.postConfirmation) });
    expect(JSON.stringify(json)).not.toContain('cognito-idp:');
  });
});

describe("ProfileSync with a team's own entry", () => {
  const { stack, profiles, json, outdir } = synth('team-entry', () => ({
    handlers: { postConfirmation: { entry: join(import.meta.dirname, 'fixtures', 'teamPostConfirmation.ts'), environment: { DEFAULT_PLAN: 'gold' } } },
    preTokenGeneration: false,
    adminChanges: false,
    reconcile: false,
  }));
  const fn = profiles.functions.postConfirmation;

  it("bundles the team's file with esbuild, with the construct's role and variables plus its own", () => {
    const properties = json.Resources[logicalId(stack, fn)]!.Properties!;
    const code = readFileSync(join(outdir, `asset.${String((properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '')}`, 'index.mjs'), 'utf8');

    expect(code).toContain('team-default-plan');
    expect(code).not.toMatch(/aws-cdk-lib/);
    expect(properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
    expect(environmentOf(json, stack, fn)).toEqual({ TABLE_NAME: { Ref: logicalId(stack, profiles.table) }, DEFAULT_PLAN: 'gold' });
    expect(statementsOf(json, stack, fn).slice(1)).toEqual([
      { Sid: 'CreateProfileAndRecordWelcome', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: arnOf(stack, profiles.table) },
    ]);
  });
});

describe('ProfileSync props', () => {
  /** Makes the construct in a fresh app each time it is called. */
  function make(props: (stack: Stack, userPool: cognito.UserPool) => Partial<ProfileSyncProps>) {
    return () => {
      const stack = new Stack(new App(), 'Stack', { env: ENV });
      const userPool = new cognito.UserPool(stack, 'UserPool');
      return new ProfileSync(stack, 'Profiles', { userPool, ...props(stack, userPool) } as ProfileSyncProps);
    };
  }

  it.each<[string, (stack: Stack, userPool: cognito.UserPool) => Partial<ProfileSyncProps>, string]>([
    ['an imported pool', (stack) => ({ userPool: cognito.UserPool.fromUserPoolId(stack, 'Imported', 'eu-west-1_AbC123') as cognito.UserPool }), 'userPool'],
    ['a pool in another stack', (stack) => ({ userPool: new cognito.UserPool(new Stack(stack.node.scope as App, 'Other'), 'Pool') }), 'userPool'],
    ['an unknown event version', () => ({ preTokenGeneration: { version: 'V4_0' as 'V2_0' } }), 'preTokenGeneration.version'],
    ['access token claims on V1_0', () => ({ preTokenGeneration: { accessTokenClaims: { tier: 'plan' } } }), 'preTokenGeneration.accessTokenClaims'],
    ['a claim Cognito reserves', () => ({ preTokenGeneration: { version: 'V2_0', claims: { 'cognito:groups': 'plan' } } }), 'preTokenGeneration.claims.cognito:groups'],
    ['a claim from a function', () => ({ preTokenGeneration: { claims: { plan: (() => 'x') as unknown as string } } }), 'preTokenGeneration.claims.plan'],
    ['an unknown onDelete', () => ({ adminChanges: { onDelete: 'purge' as 'mark' } }), 'adminChanges.onDelete'],
    ['an unknown orphans', () => ({ reconcile: { orphans: 'ignore' as 'mark' } }), 'reconcile.orphans'],
    ['orphan slices that are not a power of two', () => ({ reconcile: { orphanSlices: 24 } }), 'reconcile.orphanSlices'],
    ['a schedule that is not an expression', () => ({ reconcile: { schedule: 'every day' } }), 'reconcile.schedule'],
    ['a welcome without a body', () => ({ welcome: { from: 'hello@example.com', subject: 'Hi' } }), 'welcome.text'],
    ['a welcome sender that is not an address', () => ({ welcome: { from: 'hello', subject: 'Hi', text: 'Hi' } }), 'welcome.from'],
    ['a welcome sender with a line break', () => ({ welcome: { from: 'hello@example.com\nBcc: x@example.com', subject: 'Hi', text: 'Hi' } }), 'welcome.from'],
    ['a partition key for the created table', () => ({ partitionKey: 'memberId' }), 'partitionKey'],
    ['a handler for a function that is off', () => ({ reconcile: false, handlers: { reconcile: { entry: 'src/reconcile.ts' } } }), 'handlers.reconcile'],
    ['a handler without an entry', () => ({ handlers: { postConfirmation: {} as { entry: string } } }), 'handlers.postConfirmation.entry'],
    ['a handler for an unknown function', () => ({ handlers: { preSignUp: { entry: 'x.ts' } } as object }), 'handlers.preSignUp'],
  ])('rejects %s with a ConfigurationError naming the prop', (_label, props, option) => {
    const create = make(props);

    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(expect.objectContaining({ option }));
  });

  it('accepts a reconcile schedule as a one-time at() expression and a duration-free rate', () => {
    expect(make(() => ({ reconcile: { schedule: 'at(2030-01-01T03:00:00)' } }))).not.toThrow();
    expect(make(() => ({ reconcile: { schedule: 'rate(12 hours)' } }))).not.toThrow();
  });
});
