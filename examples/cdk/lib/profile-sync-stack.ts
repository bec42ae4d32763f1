import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ADMIN_CHANGE_EVENT_NAMES, RECONCILE_CURSOR_KEY } from 'cognito-profile-sync';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

export interface ProfileSyncStackProps extends StackProps {
  /**
   * A sender verified in SES (`hello@example.com`). With it, PostConfirmation sends a welcome
   * email once per user and may call `ses:SendEmail` from this address only; without it, no
   * welcome and no SES permission.
   * @default undefined
   */
  readonly welcomeFrom?: string;
  /**
   * What deleting a Cognito user does to the profile row: `'mark'` sets `deletedAt`,
   * `'delete'` removes the row (and only then is `dynamodb:DeleteItem` granted).
   * @default 'mark'
   */
  readonly onDelete?: 'mark' | 'delete';
  /**
   * What the scheduled reconcile does with rows whose user no longer exists: `'report'`
   * counts them, `'mark'` sets `deletedAt`, `'delete'` removes them (and only then may it
   * delete profile rows).
   * @default 'report'
   */
  readonly orphans?: 'report' | 'mark' | 'delete';
  /**
   * When reconcile runs. Each run pages through the whole pool with `ListUsers`, whose
   * request-rate quota the pool shares with your app's admin calls: daily is plenty.
   * @default Schedule.rate(Duration.days(1))
   */
  readonly reconcileSchedule?: events.Schedule;
}

/**
 * `ses:SendEmail` from one address. SES authorizes a send against every identity involved
 * (the sender's address or domain, and in the sandbox each recipient), so the resource is any
 * identity of this account and region; the condition pins the From address.
 */
function sendWelcomeFrom(address: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'SendWelcomeFromOneAddress',
    actions: ['ses:SendEmail'],
    resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/*`],
    conditions: { StringEquals: { 'ses:FromAddress': address } },
  });
}

/** Path of a handler file next to this stack, for `NodejsFunction`'s `entry`. */
function handlerEntry(file: string): string {
  return fileURLToPath(new URL(`../lambda/${file}`, import.meta.url));
}

/**
 * A user pool whose PostConfirmation and PreTokenGeneration triggers keep a DynamoDB profile
 * table in step, an EventBridge rule that applies console and admin-API edits, and a daily
 * reconcile. Every function has its own role holding only the statements it needs.
 */
export class ProfileSyncStack extends Stack {
  readonly table: dynamodb.Table;
  readonly userPool: cognito.UserPool;
  readonly postConfirmation: NodejsFunction;
  readonly preTokenGeneration: NodejsFunction;
  readonly adminChange: NodejsFunction;
  readonly reconcile: NodejsFunction;

  constructor(scope: Construct, id: string, props: ProfileSyncStackProps = {}) {
    super(scope, id, props);
    const onDelete = props.onDelete ?? 'mark';
    const orphans = props.orphans ?? 'report';

    // The member profiles: the source of truth, so the table outlives the stack.
    this.table = new dynamodb.Table(this, 'ProfileTable', {
      partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const tableArn = this.table.tableArn;
    // A fresh statement per role: statements are frozen once a policy document is rendered.
    const sendWelcome = () => (props.welcomeFrom ? [sendWelcomeFrom(props.welcomeFrom)] : []);
    const welcomeEnvironment: Record<string, string> = props.welcomeFrom ? { SOURCE_EMAIL: props.welcomeFrom } : {};

    // Trigger functions may not reference the pool (the pool references them: a cycle), and
    // they need only the table. The admin-change and reconcile functions are not triggers,
    // so they can be given the pool's id and ARN.
    this.postConfirmation = this.profileFunction('PostConfirmation', 'post-confirmation.ts', {
      timeout: Duration.seconds(5),
      environment: welcomeEnvironment,
      statements: [
        new iam.PolicyStatement({
          sid: 'CreateProfileAndRecordWelcome',
          // PutItem creates the row (conditionally); UpdateItem records the welcome claim and
          // the sent marker, so it is needed only with a welcome.
          actions: props.welcomeFrom ? ['dynamodb:PutItem', 'dynamodb:UpdateItem'] : ['dynamodb:PutItem'],
          resources: [tableArn],
        }),
        ...sendWelcome(),
      ],
    });

    this.preTokenGeneration = this.profileFunction('PreTokenGeneration', 'pre-token-generation.ts', {
      timeout: Duration.seconds(5),
      environment: {},
      statements: [
        new iam.PolicyStatement({ sid: 'UpsertProfileAtSignIn', actions: ['dynamodb:UpdateItem'], resources: [tableArn] }),
      ],
    });

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      // The pool holds your users' accounts: keep it when the stack is deleted.
      removalPolicy: RemovalPolicy.RETAIN,
      lambdaTriggers: {
        postConfirmation: this.postConfirmation,
        preTokenGeneration: this.preTokenGeneration,
      },
    });
    const client = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      // Sign-in from your app with SRP (Amplify, the SDK); no hosted-UI OAuth flows.
      disableOAuth: true,
    });

    // Admin changes: CloudTrail records user-pool API calls, EventBridge delivers them.
    const deadLetters = new sqs.Queue(this, 'AdminChangeDeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.adminChange = this.profileFunction('AdminChange', 'admin-change.ts', {
      timeout: Duration.seconds(30),
      environment: { USER_POOL_ID: this.userPool.userPoolId, ON_DELETE: onDelete },
      deadLetterQueue: deadLetters,
      statements: [
        new iam.PolicyStatement({
          sid: 'ApplyAdminChange',
          actions: onDelete === 'delete' ? ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'] : ['dynamodb:UpdateItem'],
          resources: [tableArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadChangedUserBySub',
          actions: ['cognito-idp:ListUsers'],
          resources: [this.userPool.userPoolArn],
        }),
      ],
    });
    new events.Rule(this, 'AdminChangeRule', {
      description: 'Cognito user-pool API calls recorded by CloudTrail, applied to the profile table',
      eventPattern: {
        source: ['aws.cognito-idp'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['cognito-idp.amazonaws.com'], eventName: [...ADMIN_CHANGE_EVENT_NAMES] },
      },
      targets: [new targets.LambdaFunction(this.adminChange)],
    });

    // Reconcile: the safety net for whatever the triggers and the rule missed.
    this.reconcile = this.profileFunction('Reconcile', 'reconcile.ts', {
      // A run stops before the limit and resumes from its cursor on the next run.
      timeout: Duration.minutes(15),
      memorySize: 512,
      environment: { USER_POOL_ID: this.userPool.userPoolId, ORPHANS: orphans, ...welcomeEnvironment },
      statements: [
        new iam.PolicyStatement({
          sid: 'ReconcileProfiles',
          // BatchGetItem reads a page of rows at once, PutItem creates missing rows (never
          // over one the trigger made meanwhile) and saves the cursor, UpdateItem repairs
          // drift and marks orphans, Scan reads the table's keys for the orphan check.
          actions: [
            'dynamodb:BatchGetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:Scan',
            ...(orphans === 'delete' ? ['dynamodb:DeleteItem'] : []),
          ],
          resources: [tableArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadResumeCursor',
          // The cursor is one control item in the same table (saved with PutItem, above);
          // GetItem is needed for it alone, so it reaches that item only.
          actions: ['dynamodb:GetItem'],
          resources: [tableArn],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [RECONCILE_CURSOR_KEY] } },
        }),
        new iam.PolicyStatement({ sid: 'ListPoolUsers', actions: ['cognito-idp:ListUsers'], resources: [this.userPool.userPoolArn] }),
        ...sendWelcome(),
      ],
    });
    new events.Rule(this, 'ReconcileSchedule', {
      description: 'Reconciles the profile table with the user pool',
      schedule: props.reconcileSchedule ?? events.Schedule.rate(Duration.days(1)),
      targets: [new targets.LambdaFunction(this.reconcile)],
    });

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    new CfnOutput(this, 'ProfileTableName', { value: this.table.tableName });

    this.acknowledgeReviewedFindings(props);
  }

  /**
   * A bundled Node.js function with its own role and log group: the role holds the log
   * statement and `statements`, nothing else (no AWS managed policy).
   */
  private profileFunction(
    id: string,
    file: string,
    options: {
      timeout: Duration;
      memorySize?: number;
      environment: Record<string, string>;
      statements: iam.PolicyStatement[];
      deadLetterQueue?: sqs.IQueue;
    },
  ): NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cognito-profile-sync ${id} function`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    for (const statement of options.statements) role.addToPolicy(statement);

    return new NodejsFunction(this, id, {
      entry: handlerEntry(file),
      handler: 'handler',
      // Pinned rather than NODEJS_LATEST, which moves with each CDK upgrade: the library is tested
      // on Node.js 20, 22 and 24. When CDK learns a newer runtime, cdk-nag's L1 check fails the
      // example's test until that runtime is tested too.
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize ?? 256,
      timeout: options.timeout,
      role,
      logGroup,
      environment: { DDB_TABLE: this.table.tableName, ...options.environment },
      ...(options.deadLetterQueue ? { deadLetterQueue: options.deadLetterQueue } : {}),
      bundling: {
        // esbuild from node_modules, never a Docker image: synth works without Docker.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        // The runtime ships the AWS SDK v3 (the library's peer dependency): leave it out.
        externalModules: ['@aws-sdk/*'],
        minify: true,
        sourceMap: false,
      },
    });
  }

  /**
   * Findings of cdk-nag's AwsSolutions pack that this example accepts, each acknowledged on
   * the one construct it concerns, with the reason.
   */
  private acknowledgeReviewedFindings(props: ProfileSyncStackProps): void {
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan (threat protection) is billed per monthly active user; the example uses Essentials. Set featurePlan to PLUS for a production pool that needs adaptive authentication.',
    });
    if (props.welcomeFrom) {
      for (const fn of [this.postConfirmation, this.reconcile]) {
        Validations.of(fn.role!).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
          reason:
            'SES authorizes ses:SendEmail against every identity a send involves (the sender address or domain, and each recipient while in the sandbox); the resource is limited to this account and region, and the ses:FromAddress condition pins the sender.',
        });
      }
    }
    Validations.of(this.adminChange.deadLetterQueue!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the admin-change function; it needs none of its own.',
    });
  }
}
