import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';
import { grantsIn, wildcardGrants } from '../support/cdkTemplate.js';
import type { CfnTemplate } from './helpers.js';

/*
 * examples/amplify-gen2 has its own install (Amplify's dependency tree is large): CI runs
 * `npm install --prefix examples/amplify-gen2 --no-save` before the tests. The backend is
 * synthesized offline as the Amplify CLI would for a branch deployment (synth.ts gives the
 * CDK context the CLI passes); it is not deployed. Without that install these tests are
 * skipped here, and fail under CI.
 */

const EXAMPLE = join(process.cwd(), 'examples', 'amplify-gen2');
const installed = existsSync(join(EXAMPLE, 'node_modules', '@aws-amplify', 'backend', 'package.json'));
if (!installed && process.env.CI) throw new Error('examples/amplify-gen2 is not installed: run `npm install --prefix examples/amplify-gen2 --no-save` first');

describe.skipIf(!installed)('examples/amplify-gen2 (synthesized)', () => {
  let outdir: string;
  let templates: CfnTemplate[];
  let auth: CfnTemplate;
  let profiles: CfnTemplate;

  const byType = (template: CfnTemplate, type: string) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
  const functionNamed = (name: string) => {
    const found = byType(auth, 'AWS::Lambda::Function').find(([id]) => id.startsWith(name));
    if (!found) throw new Error(`no function ${name}`);
    return found;
  };
  const statementsOf = (fnId: string) => {
    const role = (auth.Resources[fnId]!.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return grantsIn(auth)
      .filter((grant) => JSON.stringify(auth.Resources[grant.holder]!.Properties!.Roles) === JSON.stringify([{ Ref: role }]))
      .map(({ holder: _holder, ...statement }) => statement);
  };

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'cognito-profile-sync-amplify-'));
    execFileSync(join(EXAMPLE, 'node_modules', '.bin', 'tsx'), ['synth.ts', outdir, 'branch'], { cwd: EXAMPLE, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    templates = readdirSync(outdir)
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => JSON.parse(readFileSync(join(outdir, file), 'utf8')) as CfnTemplate);
    auth = templates.find((template) => byType(template, 'AWS::Cognito::UserPool').length > 0)!;
    profiles = templates.find((template) => byType(template, 'AWS::DynamoDB::Table').length > 0)!;
  }, 300_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('adds the profile table through the CDK escape hatch: userId key, on-demand, PITR, encrypted, kept in a branch deployment', () => {
    const [[, table]] = byType(profiles, 'AWS::DynamoDB::Table') as [[string, CfnTemplate['Resources'][string]]];

    expect(table).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it("sets defineAuth's triggers to the two functions, pre token generation as V2_0", () => {
    const [[, pool]] = byType(auth, 'AWS::Cognito::UserPool') as [[string, CfnTemplate['Resources'][string]]];
    const [postConfirmation] = functionNamed('postconfirmation');
    const [preTokenGeneration] = functionNamed('pretokengeneration');

    expect(pool.Properties).toMatchObject({
      UserPoolTier: 'ESSENTIALS',
      LambdaConfig: {
        PostConfirmation: { 'Fn::GetAtt': [postConfirmation, 'Arn'] },
        PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [preTokenGeneration, 'Arn'] }, LambdaVersion: 'V2_0' },
      },
    });
  });

  it('grants each trigger exactly its DynamoDB calls on the table, and SES from the one sender', () => {
    const [postConfirmation, postConfirmationResource] = functionNamed('postconfirmation');
    const [preTokenGeneration] = functionNamed('pretokengeneration');
    const tableArn = statementsOf(preTokenGeneration)[0]!.Resource;
    const tableName = (postConfirmationResource.Properties!.Environment as { Variables: { TABLE_NAME: unknown } }).Variables.TABLE_NAME;

    expect(JSON.stringify(tableArn)).toMatch(/ProfileTable[0-9A-F]+Arn/);
    expect(JSON.stringify(tableName)).toMatch(/ProfileTable[0-9A-F]+Ref/);
    expect(statementsOf(postConfirmation)).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: tableArn },
      { Effect: 'Allow', Action: 'ses:SendEmail', Resource: expect.anything(), Condition: { StringEquals: { 'ses:FromAddress': 'hello@example.com' } } },
    ]);
    expect(statementsOf(preTokenGeneration)).toEqual([{ Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: tableArn }]);
    for (const template of templates) expect(wildcardGrants(template, { tableArns: [tableArn] })).toEqual([]);
  });

  it("bundles the library into each function, and the post-confirmation bundle creates the row against dynalite", async () => {
    const [, resource] = functionNamed('postconfirmation');
    const hash = String((resource.Properties!.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
    const bundle = join(outdir, `asset.${hash}`, 'index.mjs');
    const code = readFileSync(bundle, 'utf8');
    expect(code).toContain('PostConfirmation_ConfirmForgotPassword');
    expect(code).not.toMatch(/["']aws-cdk-lib/);

    const dynamo: TestDynamo = await startDynalite();
    const saved = { ...process.env };
    try {
      await dynamo.createTable('amplify-profiles');
      Object.assign(process.env, {
        TABLE_NAME: 'amplify-profiles',
        WELCOME_FROM: 'hello@example.com',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        // No SES here: the welcome fails, which never fails the confirmation.
        AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:9',
      });
      vi.spyOn(console, 'info').mockImplementation(() => undefined);
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
      const event = buildPostConfirmationEvent({ userAttributes: { email: 'ada@example.com' } });

      await handler(event, buildLambdaContext());

      expect(await dynamo.getItem('amplify-profiles', { userId: event.request.userAttributes.sub! })).toMatchObject({ email: 'ada@example.com' });
    } finally {
      process.env = saved;
      vi.restoreAllMocks();
      await dynamo.stop();
    }
  });
});
