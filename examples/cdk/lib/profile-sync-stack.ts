import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ProfileSync } from 'cognito-profile-sync/cdk';
import type { Construct } from 'constructs';

export interface ProfileSyncStackProps extends StackProps {
  /**
   * A sender verified in SES (`hello@example.com`). With it, each user gets one welcome
   * email; without it, no welcome and no SES permission.
   * @default undefined
   */
  readonly welcomeFrom?: string;
  /** What deleting a Cognito user does to the profile row. @default 'mark' */
  readonly onDelete?: 'mark' | 'delete';
  /** What reconcile does with rows whose user is gone. @default 'report' */
  readonly orphans?: 'report' | 'mark' | 'delete';
  /**
   * An `Orders` table (the app's own data, keyed by the user's `sub`) whose items are erased
   * once when the user is deleted.
   * @default false
   */
  readonly eraseOrders?: boolean;
}

/**
 * A user pool and the whole profile sync, from the one construct: the table, the triggers,
 * the admin-change rule and the daily reconcile, each function with its own least-privilege
 * role. No function code of ours: the library's ready handlers run, configured by the props.
 */
export class ProfileSyncStack extends Stack {
  readonly userPool: cognito.UserPool;
  readonly profiles: ProfileSync;
  readonly orders?: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ProfileSyncStackProps = {}) {
    super(scope, id, props);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Essentials: pre token generation V2_0 events (access token claims) need it or Plus.
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      // The pool holds your users' accounts: keep it when the stack is deleted.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan (threat protection) is billed per monthly active user; the example uses Essentials. Set featurePlan to PLUS for a production pool that needs adaptive authentication.',
    });
    const client = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      disableOAuth: true,
    });

    if (props.eraseOrders) {
      this.orders = new dynamodb.Table(this, 'Orders', {
        partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      });
    }

    this.profiles = new ProfileSync(this, 'Profiles', {
      userPool: this.userPool,
      ...(props.welcomeFrom && {
        welcome: {
          from: props.welcomeFrom,
          subject: 'Welcome, {{givenName|friend}}!',
          text: 'Dear {{name|member}}, thank you for signing up.',
        },
      }),
      preTokenGeneration: { version: 'V2_0', accessTokenClaims: { 'member:since': 'createdAt' } },
      adminChanges: { onDelete: props.onDelete ?? 'mark' },
      reconcile: { schedule: 'rate(1 day)', orphans: props.orphans ?? 'report' },
      // The admin-changes and reconcile functions may Query and BatchWriteItem this table only.
      ...(this.orders && { erasure: { tables: [{ table: this.orders, partitionKey: 'userId', sortKey: 'orderId' }] } }),
    });

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    new CfnOutput(this, 'ProfileTableName', { value: this.profiles.table.tableName });
  }
}
