import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ADMIN_CHANGE_EVENT_NAMES, ConfigurationError } from '../index.js';
import { acknowledge } from './acknowledge.js';
import { erasureEnvironment } from './erasure.js';
import {
  adminChangesStatements,
  postConfirmationStatements,
  preTokenGenerationStatements,
  reconcileStatements,
  type Targets,
} from './permissions.js';
import type { ProfileSyncFunctions, ProfileSyncHandlerEntry, ProfileSyncProps } from './props.js';
import { readyCode, type FunctionName } from './readyCode.js';
import { resolveSettings, type ProfileSyncSettings } from './settings.js';

/** The runtime of every function: the newest Node.js Lambda runs, which the library supports. */
const RUNTIME = lambda.Runtime.NODEJS_24_X;

interface FunctionOptions {
  readonly name: FunctionName;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly environment: Record<string, string>;
  readonly statements: iam.PolicyStatement[];
  readonly deadLetterQueue?: sqs.IQueue;
  readonly reservedConcurrentExecutions?: number;
}

/**
 * Deploys the profile sync for a user pool: the profile table (unless you pass one), the
 * PostConfirmation and PreTokenGeneration triggers, the EventBridge rule that applies
 * console and admin-API edits, and the scheduled reconcile. Every function has a role of
 * its own holding only what it calls, on the table's and the pool's ARNs. By default the
 * functions run the library's ready handlers, configured through environment variables;
 * `handlers` puts your own entry files in their place.
 *
 * @example
 * ```ts
 * import { ProfileSync } from 'cognito-profile-sync/cdk';
 *
 * const profiles = new ProfileSync(this, 'Profiles', {
 *   userPool,
 *   welcome: { from: 'hello@example.com', subject: 'Welcome, {{givenName|friend}}!', text: 'Dear {{name|member}}, …' },
 *   preTokenGeneration: { version: 'V2_0', claims: { plan: 'plan' } },
 * });
 * profiles.table.grantReadData(apiFunction);
 * ```
 */
export class ProfileSync extends Construct {
  /** The profile table: the one passed, or the one created. */
  readonly table: dynamodb.ITable;
  /** The functions deployed, for your own grants, alarms and settings. */
  readonly functions: ProfileSyncFunctions;
  /** The EventBridge rule delivering CloudTrail's user-pool calls; absent with `adminChanges: false`. */
  readonly adminChangesRule?: events.Rule;
  /** The EventBridge Scheduler schedule running reconcile; absent with `reconcile: false`. */
  readonly reconcileSchedule?: scheduler.CfnSchedule;

  private readonly props: ProfileSyncProps;
  private readonly settings: ProfileSyncSettings;

  constructor(scope: Construct, id: string, props: ProfileSyncProps) {
    super(scope, id);
    checkUserPool(this, props);
    this.props = props;
    this.settings = resolveSettings(props);
    const { settings } = this;
    const { userPool } = props;

    this.table = props.table ?? this.createTable();
    const targets: Targets = { tableArn: this.table.tableArn, userPoolArn: userPool.userPoolArn };
    const tableEnvironment: Record<string, string> = {
      TABLE_NAME: this.table.tableName,
      ...(props.partitionKey !== undefined && { PARTITION_KEY: settings.partitionKey }),
    };
    const erasure = erasureEnvironment(this, settings.erasure);
    const welcomeEnvironment: Record<string, string> = settings.welcome
      ? {
          WELCOME_FROM: settings.welcome.from,
          WELCOME_SUBJECT: settings.welcome.subject,
          ...(settings.welcome.text !== undefined && { WELCOME_TEXT: settings.welcome.text }),
          ...(settings.welcome.html !== undefined && { WELCOME_HTML: settings.welcome.html }),
        }
      : {};

    // Triggers get the table only: a trigger that referred to the pool would make a cycle
    // (the pool refers to its triggers). Cognito waits about 5 s for a trigger; the
    // handlers work to a 4.5 s deadline within it.
    const postConfirmation = this.profileFunction('PostConfirmation', {
      name: 'postConfirmation',
      description: 'cognito-profile-sync PostConfirmation: creates the profile row once, sends the welcome once',
      timeout: Duration.seconds(5),
      environment: { ...tableEnvironment, ...welcomeEnvironment },
      statements: postConfirmationStatements(settings, targets),
    });
    userPool.addTrigger(cognito.UserPoolOperation.POST_CONFIRMATION, postConfirmation);

    let preTokenGeneration: lambda.Function | undefined;
    if (settings.preTokenGeneration) {
      const { version, claims, accessTokenClaims } = settings.preTokenGeneration;
      preTokenGeneration = this.profileFunction('PreTokenGeneration', {
        name: 'preTokenGeneration',
        description: 'cognito-profile-sync PreTokenGeneration: keeps the profile row in step at each sign-in, welcomes admin-created users once',
        timeout: Duration.seconds(5),
        // With a welcome, a user made by AdminCreateUser gets it at the first sign-in.
        environment: {
          ...tableEnvironment,
          ...welcomeEnvironment,
          ...(claims && { CLAIMS: JSON.stringify(claims) }),
          ...(accessTokenClaims && { ACCESS_TOKEN_CLAIMS: JSON.stringify(accessTokenClaims) }),
        },
        statements: preTokenGenerationStatements(settings, targets),
      });
      userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, preTokenGeneration, cognito.LambdaVersion[version]);
    }

    let adminChanges: lambda.Function | undefined;
    if (settings.adminChanges) {
      const deadLetters = new sqs.Queue(this, 'AdminChangesDeadLetters', {
        retentionPeriod: Duration.days(14),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      acknowledge(deadLetters, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the admin-changes function; a dead-letter queue needs none of its own.');
      adminChanges = this.profileFunction('AdminChanges', {
        name: 'adminChanges',
        description: 'cognito-profile-sync admin changes: applies console and admin-API edits to the profile row',
        timeout: Duration.seconds(30),
        environment: { ...tableEnvironment, USER_POOL_ID: userPool.userPoolId, ON_DELETE: settings.adminChanges.onDelete, ...erasure },
        statements: adminChangesStatements(settings, targets),
        deadLetterQueue: deadLetters,
      });
      // CloudTrail records the pool's API calls; EventBridge delivers them (a trail must
      // record management events in the region).
      this.adminChangesRule = new events.Rule(this, 'AdminChangesRule', {
        description: 'Cognito user-pool API calls recorded by CloudTrail, applied to the profile table',
        eventPattern: {
          source: ['aws.cognito-idp'],
          detailType: ['AWS API Call via CloudTrail'],
          detail: { eventSource: ['cognito-idp.amazonaws.com'], eventName: [...ADMIN_CHANGE_EVENT_NAMES] },
        },
        targets: [new eventTargets.LambdaFunction(adminChanges)],
      });
    }

    let reconcile: lambda.Function | undefined;
    if (settings.reconcile) {
      reconcile = this.profileFunction('Reconcile', {
        name: 'reconcile',
        description: 'cognito-profile-sync reconcile: creates missing rows, repairs drift, handles orphans, finishes welcomes',
        // A run stops a minute before the limit and the next run resumes from its cursor.
        timeout: Duration.minutes(15),
        memorySize: 512,
        environment: { ...tableEnvironment, USER_POOL_ID: userPool.userPoolId, ORPHANS: settings.reconcile.orphans, ...orphanSlicesEnvironment(settings.reconcile.orphanSlices), ...welcomeEnvironment, ...erasure },
        statements: reconcileStatements(settings, targets),
        // Two runs at once would page the pool twice against one ListUsers quota and race
        // on the cursor: one at a time.
        reservedConcurrentExecutions: 1,
      });
      this.reconcileSchedule = this.schedule(reconcile, settings.reconcile.schedule);
    }

    this.functions = { postConfirmation, preTokenGeneration, adminChanges, reconcile };
    this.acknowledgeSesIdentities();
  }

  /**
   * An EventBridge Scheduler schedule invoking `fn`, with a role of its own that may invoke
   * that function and nothing else (the L2 target would also grant its versions, `:*`).
   */
  private schedule(fn: lambda.Function, expression: string): scheduler.CfnSchedule {
    const role = new iam.Role(this, 'ReconcileScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'cognito-profile-sync: lets EventBridge Scheduler start the reconcile function',
    });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'StartReconcile', actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
    const schedule = new scheduler.CfnSchedule(this, 'ReconcileSchedule', {
      description: 'Reconciles the profile table with the user pool',
      scheduleExpression: expression,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: { arn: fn.functionArn, roleArn: role.roleArn },
    });
    // The role's policy must exist before the first run needs it.
    schedule.node.addDependency(role);
    return schedule;
  }

  /** The table made when none is passed: the member records, so it outlives the stack. */
  private createTable(): dynamodb.Table {
    return new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * One function with its own role and log group. The role holds the log statement and
   * `statements`, nothing else: no AWS managed policy.
   */
  private profileFunction(id: string, options: FunctionOptions): lambda.Function {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: this.props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: options.description,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    for (const statement of options.statements) role.addToPolicy(statement);

    const common = {
      description: options.description,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize ?? 256,
      timeout: options.timeout,
      role,
      logGroup,
      ...(options.deadLetterQueue && { deadLetterQueue: options.deadLetterQueue }),
      ...(options.reservedConcurrentExecutions !== undefined && { reservedConcurrentExecutions: options.reservedConcurrentExecutions }),
    };
    const own: ProfileSyncHandlerEntry | undefined = this.props.handlers?.[options.name];
    if (own === undefined) {
      return new lambda.Function(this, id, { ...common, code: readyCode(options.name), handler: 'index.handler', environment: options.environment });
    }
    return new NodejsFunction(this, id, {
      ...common,
      entry: own.entry,
      handler: own.handler ?? 'handler',
      environment: { ...options.environment, ...own.environment },
      ...(own.depsLockFilePath !== undefined && { depsLockFilePath: own.depsLockFilePath }),
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // The runtime ships the AWS SDK v3, the library's peer dependency.
        externalModules: ['@aws-sdk/*'],
        minify: true,
        ...own.bundling,
      },
    });
  }

  /** The SES statement's resource is every identity of the account and region; the condition is what pins it. */
  private acknowledgeSesIdentities(): void {
    if (!this.settings.welcome) return;
    for (const fn of [this.functions.postConfirmation, this.functions.preTokenGeneration, this.functions.reconcile]) {
      if (!fn?.role) continue;
      acknowledge(
        fn.role,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
        'SES authorizes ses:SendEmail against every identity a send involves (the sender address or domain, and each recipient while in the sandbox); the resource is limited to this account and region, and the ses:FromAddress condition pins the sender.',
      );
    }
  }
}

function orphanSlicesEnvironment(orphanSlices: number | undefined): Record<string, string> {
  return orphanSlices === undefined ? {} : { ORPHAN_SLICES: String(orphanSlices) };
}

function checkUserPool(scope: Construct, props: ProfileSyncProps): void {
  if (typeof props !== 'object' || props === null) throw new ConfigurationError('props', 'must be an object with at least `userPool`');
  const pool = props.userPool as Partial<cognito.UserPool> | undefined;
  if (typeof pool?.addTrigger !== 'function') {
    throw new ConfigurationError(
      'userPool',
      'must be a cognito.UserPool defined in this app: CDK cannot add triggers to an imported pool (UserPool.fromUserPoolId/Arn); define the triggers in the stack that owns the pool',
    );
  }
  if (Stack.of(pool as cognito.UserPool) !== Stack.of(scope)) {
    throw new ConfigurationError(
      'userPool',
      "must be in ProfileSync's stack: the pool refers to its trigger functions and the admin-changes and reconcile functions refer to the pool, which across two stacks is a cycle",
    );
  }
}
