import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProfileSync, type ProfileSyncProps } from '../../src/cdk/index.js';
import { assertAcyclic, type CfnTemplate } from '../examples/helpers.js';
import { grantsIn, wildcardGrants } from '../support/cdkTemplate.js';

/*
 * The construct's `erasure` prop, synthesized in-process: the tables reach the admin-changes
 * and reconcile functions as ERASE_TABLES, and each of those roles may do on each table
 * only what erasing from a table of its shape takes. The ready handlers come from dist/
 * (built by `npm test`).
 */
const OUT_ROOT = join(process.cwd(), 'node_modules', '.cache', 'cognito-profile-sync-cdk', `erasure-${process.pid}`);
afterAll(() => rmSync(OUT_ROOT, { recursive: true, force: true }));

function synth(name: string, props: (stack: Stack) => Omit<ProfileSyncProps, 'userPool'>) {
  const app = new App({ outdir: join(OUT_ROOT, name) });
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const userPool = new cognito.UserPool(stack, 'UserPool', {
    signInAliases: { email: true },
    passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    featurePlan: cognito.FeaturePlan.PLUS,
    standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
  });
  const profiles = new ProfileSync(stack, 'Profiles', { userPool, ...props(stack) });
  return { app, stack, profiles, json: Template.fromStack(stack).toJSON() as CfnTemplate };
}

/** Three tables of the team's, one of each shape the helper erases from. */
function teamTables(stack: Stack) {
  const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
  const options = { billingMode: dynamodb.BillingMode.PAY_PER_REQUEST, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } };
  const sessions = new dynamodb.Table(stack, 'Sessions', { partitionKey: key('userId'), ...options });
  const orders = new dynamodb.Table(stack, 'Orders', { partitionKey: key('userId'), sortKey: key('orderId'), ...options });
  const comments = new dynamodb.Table(stack, 'Comments', { partitionKey: key('commentId'), ...options });
  comments.addGlobalSecondaryIndex({ indexName: 'byAuthor', partitionKey: key('authorId') });
  return { sessions, orders, comments };
}

const logicalId = (stack: Stack, construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const arnOf = (stack: Stack, construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(stack, construct), 'Arn'] });

/** The statements of a function's role, by Sid, without the log statement. */
function statementsOf(json: CfnTemplate, stack: Stack, fn: IConstruct) {
  const role = (json.Resources[logicalId(stack, fn)]!.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = Object.entries(json.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties!.Roles) === JSON.stringify([{ Ref: role }]))
    .map(([id]) => id);
  return grantsIn(json)
    .filter((grant) => policies.includes(grant.holder) && grant.Sid !== 'WriteOwnLogs')
    .map(({ holder: _holder, ...statement }) => statement);
}

/** A function's ERASE_TABLES as the JSON it resolves to, with each `Ref` written as `<id>`. */
function eraseTablesOf(json: CfnTemplate, stack: Stack, fn: IConstruct): unknown {
  const variables = (json.Resources[logicalId(stack, fn)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
  const value = variables.ERASE_TABLES as { 'Fn::Join': [string, unknown[]] } | string | undefined;
  if (value === undefined || typeof value === 'string') return value && JSON.parse(value);
  return JSON.parse(value['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join(''));
}

describe('ProfileSync with erasure', () => {
  let tables!: ReturnType<typeof teamTables>;
  const { app, stack, profiles, json } = synth('erasure', (scope) => {
    tables = teamTables(scope);
    return {
      adminChanges: { onDelete: 'delete' },
      reconcile: { orphans: 'delete' },
      erasure: {
        tables: [
          { table: tables.sessions, partitionKey: 'userId' },
          { table: tables.orders, partitionKey: 'userId', sortKey: 'orderId' },
          { table: tables.comments, partitionKey: 'commentId', index: { name: 'byAuthor', partitionKey: 'authorId' } },
        ],
      },
    };
  });
  const fns = profiles.functions;
  const indexArn = { 'Fn::Join': ['', [arnOf(stack, tables.comments), '/index/byAuthor']] };

  it('hands the tables to the admin-changes and reconcile functions as ERASE_TABLES, and to no trigger', () => {
    const expected = [
      { table: `<${logicalId(stack, tables.sessions)}>`, partitionKey: 'userId' },
      { table: `<${logicalId(stack, tables.orders)}>`, partitionKey: 'userId', sortKey: 'orderId' },
      { table: `<${logicalId(stack, tables.comments)}>`, partitionKey: 'commentId', index: { name: 'byAuthor', partitionKey: 'authorId' } },
    ];

    expect(eraseTablesOf(json, stack, fns.adminChanges!)).toEqual(expected);
    expect(eraseTablesOf(json, stack, fns.reconcile!)).toEqual(expected);
    expect(eraseTablesOf(json, stack, fns.postConfirmation)).toBeUndefined();
    expect(eraseTablesOf(json, stack, fns.preTokenGeneration!)).toBeUndefined();
  });

  it('grants each erasing role exactly what each table takes, on those tables only', () => {
    const erasing = [
      { Sid: 'EraseUserItemByKey', Effect: 'Allow', Action: 'dynamodb:DeleteItem', Resource: arnOf(stack, tables.sessions) },
      { Sid: 'FindUserItems', Effect: 'Allow', Action: 'dynamodb:Query', Resource: [arnOf(stack, tables.orders), indexArn] },
      { Sid: 'EraseUserItems', Effect: 'Allow', Action: 'dynamodb:BatchWriteItem', Resource: [arnOf(stack, tables.orders), arnOf(stack, tables.comments)] },
    ];

    expect(statementsOf(json, stack, fns.adminChanges!)).toEqual(expect.arrayContaining(erasing));
    expect(statementsOf(json, stack, fns.reconcile!)).toEqual(expect.arrayContaining(erasing));
    for (const fn of [fns.postConfirmation, fns.preTokenGeneration!]) {
      expect(JSON.stringify(statementsOf(json, stack, fn))).not.toMatch(/Erase|FindUserItems/);
    }
  });

  it("lets reconcile leave tombstones of deleted orphans, so it needs no DeleteItem on the profile table", () => {
    const reconcile = statementsOf(json, stack, fns.reconcile!).find((statement) => statement.Sid === 'ReconcileProfiles');

    expect(reconcile?.Action).toEqual(['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan']);
  });

  it('grants no wildcard, has no cycle, and passes cdk-nag', () => {
    expect(wildcardGrants(json, { tableArns: [indexArn] })).toEqual([]);
    expect(() => assertAcyclic(json)).not.toThrow();
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
  });
});

describe('the erasure prop, checked at synth', () => {
  it.each([
    ['no tables', () => ({ erasure: { tables: [] } }), 'erasure.tables'],
    ['an entry without a table', () => ({ erasure: { tables: [{ partitionKey: 'userId' }] } }), 'erasure.tables[0].table'],
    ['an empty key name', (stack: Stack) => ({ erasure: { tables: [{ table: teamTables(stack).orders, partitionKey: '' }] } }), 'erasure.tables[0].partitionKey'],
    ['no function to erase', (stack: Stack) => ({ adminChanges: false, reconcile: false, erasure: { tables: [{ table: teamTables(stack).orders, partitionKey: 'userId' }] } }), 'erasure'],
    [
      'the profile table itself',
      (stack: Stack) => {
        const table = teamTables(stack).sessions;
        return { table, erasure: { tables: [{ table, partitionKey: 'userId' }] } };
      },
      'erasure.tables[0].table',
    ],
  ] as const)('refuses %s, naming the prop', (_name, props, option) => {
    expect(() => synth(`bad-${option}`, props as never)).toThrow(expect.objectContaining({ name: 'ConfigurationError', option }));
  });
});
