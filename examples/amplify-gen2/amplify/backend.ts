import { defineBackend } from '@aws-amplify/backend';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { auth } from './auth/resource';
import { postConfirmation } from './auth/post-confirmation/resource';
import { preTokenGeneration } from './auth/pre-token-generation/resource';

export const backend = defineBackend({ auth, postConfirmation, preTokenGeneration });

// The profile table, through the CDK escape hatch, in a stack of its own: the member records,
// kept when the backend is deleted.
const profiles = backend.createStack('profiles');
const table = new dynamodb.Table(profiles, 'ProfileTable', {
  partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  encryption: dynamodb.TableEncryption.AWS_MANAGED,
  removalPolicy: RemovalPolicy.RETAIN,
});

// The grants: exactly what each trigger calls (the library's README, "IAM permissions"), on
// this table. No table.grantReadWriteData: that would also give Scan, Query, DeleteItem, ...
const { lambda: postConfirmationLambda } = backend.postConfirmation.resources;
backend.postConfirmation.addEnvironment('TABLE_NAME', table.tableName);
postConfirmationLambda.addToRolePolicy(
  new iam.PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [table.tableArn] }),
);
postConfirmationLambda.addToRolePolicy(
  new iam.PolicyStatement({
    actions: ['ses:SendEmail'],
    resources: [`arn:aws:ses:${profiles.region}:${profiles.account}:identity/*`],
    conditions: { StringEquals: { 'ses:FromAddress': 'hello@example.com' } },
  }),
);

const { lambda: preTokenGenerationLambda } = backend.preTokenGeneration.resources;
backend.preTokenGeneration.addEnvironment('TABLE_NAME', table.tableName);
preTokenGenerationLambda.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [table.tableArn] }));

// defineAuth sets pre token generation as a V1_0 trigger; access token claims need V2_0
// events (and the Essentials or Plus feature plan).
const { cfnUserPool } = backend.auth.resources.cfnResources;
cfnUserPool.addPropertyOverride('UserPoolTier', 'ESSENTIALS');
cfnUserPool.addPropertyOverride('LambdaConfig.PreTokenGenerationConfig', {
  LambdaArn: preTokenGenerationLambda.functionArn,
  LambdaVersion: 'V2_0',
});
