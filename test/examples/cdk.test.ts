import { App, type CfnElement, type Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProfileSyncStack, type ProfileSyncStackProps } from '../../examples/cdk/lib/profile-sync-stack.js';
import { grantsIn, wildcardGrants } from '../support/cdkTemplate.js';
import { assertAcyclic, documentedAdminChangePattern, type CfnTemplate } from './helpers.js';

/*
 * The example app synthesized in-process as `cdk synth` does. It imports the construct as a
 * user does, `cognito-profile-sync/cdk`, which resolves to the built package (dist/). `cdk
 * deploy` needs an AWS account and is not run; the synthesized template is asserted instead.
 */

const ENV = { account: '123456789012', region: 'eu-west-1' };
const OUT_ROOT = join(process.cwd(), 'node_modules', '.cache', 'cognito-profile-sync-examples', `cdk-${process.pid}`);
afterAll(() => rmSync(OUT_ROOT, { recursive: true, force: true }));

function synth(props: ProfileSyncStackProps, name: string) {
  const outdir = join(OUT_ROOT, name);
  const app = new App({ outdir });
  const stack = new ProfileSyncStack(app, 'Example', { env: ENV, ...props });
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as CfnTemplate, outdir };
}

const logicalId = (stack: Stack, construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const arnOf = (stack: Stack, construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(stack, construct), 'Arn'] });

function acknowledged(stack: Stack): string[] {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as object).map((id) => `${construct.node.path} ${id.replace(/^annotation::/i, '')}`)),
  );
}

describe('examples/cdk', () => {
  describe('with a welcome sender', () => {
    const { app, stack, template, json, outdir } = synth({ welcomeFrom: 'hello@example.com' }, 'welcome');
    const example = stack as ProfileSyncStack;
    const fns = example.profiles.functions;

    it('makes the pool with email sign-in and sets its triggers, pre token generation as V2_0', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UsernameAttributes: ['email'],
        UserPoolTier: 'ESSENTIALS',
        LambdaConfig: {
          PostConfirmation: arnOf(stack, fns.postConfirmation),
          PreTokenGenerationConfig: { LambdaArn: arnOf(stack, fns.preTokenGeneration!), LambdaVersion: 'V2_0' },
        },
      });
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false, ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    });

    it("deploys the library's four ready handlers, with no function code of the example's", () => {
      template.resourceCountIs('AWS::Lambda::Function', 4);
      for (const fn of Object.values(fns)) {
        const properties = json.Resources[logicalId(stack, fn!)]!.Properties!;
        expect(properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
        const asset = join(outdir, `asset.${String((properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '')}`);
        expect(readdirSync(asset)).toEqual(['index.mjs']);
      }
      expect(json.Resources[logicalId(stack, fns.preTokenGeneration!)]!.Properties!.Environment).toMatchObject({
        Variables: { ACCESS_TOKEN_CLAIMS: '{"member:since":"createdAt"}' },
      });
    });

    it('grants no wildcard DynamoDB, SES or Cognito permission, and sends mail from the one sender only', () => {
      const ses = grantsIn(json).filter((grant) => String(grant.Action).startsWith('ses:'));

      expect(wildcardGrants(json)).toEqual([]);
      expect(ses).toHaveLength(3); // PostConfirmation, PreTokenGeneration (admin-created users), reconcile
      for (const grant of ses) expect(grant.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'hello@example.com' } });
      expect(JSON.stringify(json)).not.toContain('ManagedPolicyArns');
    });

    it("routes the README's CloudTrail calls to admin changes and runs reconcile daily", () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: documentedAdminChangePattern(),
        Targets: [Match.objectLike({ Arn: arnOf(stack, fns.adminChanges!) })],
      });
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(1 day)',
        Target: Match.objectLike({ Arn: arnOf(stack, fns.reconcile!) }),
      });
    });

    it('outputs the pool, the client and the table', () => {
      expect(Object.keys(json.Outputs ?? {}).sort()).toEqual(['ProfileTableName', 'UserPoolClientId', 'UserPoolId']);
      expect(json.Outputs!.ProfileTableName!.Value).toEqual({ Ref: logicalId(stack, example.profiles.table) });
    });

    it('has no dependency cycle', () => {
      expect(() => assertAcyclic(json)).not.toThrow();
    });

    it("passes cdk-nag's AwsSolutions checks, with the example's one acknowledgement and the construct's", () => {
      expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
      expect(acknowledged(stack).sort()).toEqual([
        'Example/Profiles/AdminChangesDeadLetters AwsSolutions-SQS3',
        'Example/Profiles/PostConfirmationRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
        'Example/Profiles/PreTokenGenerationRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
        'Example/Profiles/ReconcileRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
        'Example/UserPool AwsSolutions-COG8',
      ]);
    });
  });

  describe('without a welcome sender, deleting rows', () => {
    const { app, stack, json } = synth({ onDelete: 'delete', orphans: 'delete' }, 'no-welcome');
    const fns = (stack as ProfileSyncStack).profiles.functions;

    it('holds no SES permission and no welcome variable, and lets only admin changes and reconcile delete', () => {
      const deleting = grantsIn(json).filter((grant) => ([] as string[]).concat(grant.Action).includes('dynamodb:DeleteItem'));

      expect(JSON.stringify(json)).not.toMatch(/ses:|WELCOME_/);
      expect(deleting.map((grant) => grant.Sid).sort()).toEqual(['ApplyAdminChange', 'ReconcileProfiles']);
      expect(json.Resources[logicalId(stack, fns.adminChanges!)]!.Properties!.Environment).toMatchObject({ Variables: { ON_DELETE: 'delete' } });
      expect(json.Resources[logicalId(stack, fns.reconcile!)]!.Properties!.Environment).toMatchObject({ Variables: { ORPHANS: 'delete' } });
    });

    it('passes cdk-nag with no acknowledgement left over', () => {
      expect(wildcardGrants(json)).toEqual([]);
      expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
      expect(acknowledged(stack).sort()).toEqual(['Example/Profiles/AdminChangesDeadLetters AwsSolutions-SQS3', 'Example/UserPool AwsSolutions-COG8']);
    });
  });

  describe('erasing the orders of a deleted user', () => {
    const { app, stack, json } = synth({ eraseOrders: true }, 'erase-orders');
    const example = stack as ProfileSyncStack;
    const fns = example.profiles.functions;

    it('lets only the admin-changes and reconcile functions Query and BatchWriteItem the orders table, naming it in ERASE_TABLES', () => {
      const erasing = grantsIn(json).filter((grant) => ['FindUserItems', 'EraseUserItems'].includes(grant.Sid ?? ''));
      const orders = arnOf(stack, example.orders!);

      expect(erasing.map(({ Sid, Action, Resource }) => ({ Sid, Action, Resource }))).toEqual([
        { Sid: 'FindUserItems', Action: 'dynamodb:Query', Resource: orders },
        { Sid: 'EraseUserItems', Action: 'dynamodb:BatchWriteItem', Resource: orders },
        { Sid: 'FindUserItems', Action: 'dynamodb:Query', Resource: orders },
        { Sid: 'EraseUserItems', Action: 'dynamodb:BatchWriteItem', Resource: orders },
      ]);
      for (const fn of [fns.adminChanges!, fns.reconcile!]) {
        expect(JSON.stringify(json.Resources[logicalId(stack, fn)]!.Properties!.Environment)).toContain('ERASE_TABLES');
      }
      expect(wildcardGrants(json)).toEqual([]);
      expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    });
  });
});
