import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';

/** The welcome email, sent once per user through SES by PostConfirmation (and finished by reconcile). */
export interface ProfileSyncWelcome {
  /**
   * The sender, verified in SES: `hello@example.com` or `Example <hello@example.com>`. The
   * functions may call `ses:SendEmail` from this address only.
   */
  readonly from: string;
  /** Subject template, with `{{field}}` and `{{field|fallback}}` from the profile. */
  readonly subject: string;
  /** Plain-text body template. At least one of `text` and `html`. @default none */
  readonly text?: string;
  /** HTML body template; `{{field}}` values are HTML-escaped. @default none */
  readonly html?: string;
}

/** The PreTokenGeneration trigger: sync at each sign-in, and claims from the profile. */
export interface ProfileSyncPreTokenGeneration {
  /**
   * The trigger event version Cognito sends. `V2_0` and `V3_0` (access token claims; V3 also
   * for client credentials) need the Essentials or Plus feature plan.
   * @default 'V1_0'
   */
  readonly version?: 'V1_0' | 'V2_0' | 'V3_0';
  /** ID token claims: claim name to profile field name. @default none */
  readonly claims?: Readonly<Record<string, string>>;
  /** Access token claims (V2_0 and V3_0): claim name to profile field name. @default none */
  readonly accessTokenClaims?: Readonly<Record<string, string>>;
}

/** Console and admin-API edits, delivered by EventBridge from CloudTrail. */
export interface ProfileSyncAdminChanges {
  /**
   * What deleting a user does to the row: `'mark'` sets `deletedAt`, `'delete'` removes it
   * (and only then may the function `DeleteItem`).
   * @default 'mark'
   */
  readonly onDelete?: 'mark' | 'delete';
}

/**
 * A table holding items keyed by the user's `sub`, erased when the user is deleted (the
 * library's `eraseFromTables`).
 */
export interface ProfileSyncErasureTable {
  /** The table. Only it (and `index`) is granted, and only the actions its shape needs. */
  readonly table: dynamodb.ITable;
  /** The table's partition key: it holds the `sub`, unless `index` is given. */
  readonly partitionKey: string;
  /** The table's sort key, when it has one. @default none: the `sub` is the whole key (`DeleteItem`) */
  readonly sortKey?: string;
  /** A global secondary index whose partition key holds the `sub`. @default none */
  readonly index?: { readonly name: string; readonly partitionKey: string };
}

/** Erasing a deleted user's items from other tables, once per user. */
export interface ProfileSyncErasure {
  /** The tables, erased in this order. */
  readonly tables: readonly ProfileSyncErasureTable[];
}

/** The scheduled reconcile, run by EventBridge Scheduler. */
export interface ProfileSyncReconcile {
  /**
   * When it runs, as an EventBridge Scheduler expression: `rate(…)`, `cron(…)` or `at(…)`.
   * Each run pages the whole pool with `ListUsers`, whose quota your app's admin calls share.
   * @default 'rate(1 day)'
   */
  readonly schedule?: string;
  /**
   * Rows whose user no longer exists: `'report'` counts them, `'mark'` sets `deletedAt`,
   * `'delete'` removes them (and only then may the function `DeleteItem`).
   * @default 'report'
   */
  readonly orphans?: 'report' | 'mark' | 'delete';
  /**
   * The slices a cycle of the orphan check starts with (`orphanSlices` of
   * `createReconcileHandler`): a power of two from 1 to 256. A pool too big for one run is
   * checked slice by slice over several runs; about 1.2 million users fit one.
   * @default 1 (a slice that does not fit one run is split in two, once)
   */
  readonly orphanSlices?: number;
}

/**
 * Your own code for one function instead of the library's ready handler, bundled with
 * `NodejsFunction` (local esbuild, else Docker). It gets the same role, environment
 * variables (`TABLE_NAME`, …) and wiring as the ready handler would.
 */
export interface ProfileSyncHandlerEntry {
  /** Path of the entry file, such as `src/post-confirmation.ts`. */
  readonly entry: string;
  /** The exported handler's name. @default 'handler' */
  readonly handler?: string;
  /** Bundling options, merged over the construct's (ESM, minified, `@aws-sdk/*` left to the runtime). @default the construct's */
  readonly bundling?: BundlingOptions;
  /** The lock file `NodejsFunction` installs from. @default the one found upwards from the working directory */
  readonly depsLockFilePath?: string;
  /** Further environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
}

/** Your own entry files, by function. */
export interface ProfileSyncHandlers {
  /** @default the ready `cognito-profile-sync/lambda/post-confirmation` */
  readonly postConfirmation?: ProfileSyncHandlerEntry;
  /** @default the ready `cognito-profile-sync/lambda/pre-token-generation` */
  readonly preTokenGeneration?: ProfileSyncHandlerEntry;
  /** @default the ready `cognito-profile-sync/lambda/admin-changes` */
  readonly adminChanges?: ProfileSyncHandlerEntry;
  /** @default the ready `cognito-profile-sync/lambda/reconcile` */
  readonly reconcile?: ProfileSyncHandlerEntry;
}

/** Properties of {@link ProfileSync}. */
export interface ProfileSyncProps {
  /**
   * The user pool whose triggers to set. A pool defined in this app (`new cognito.UserPool`)
   * in the same stack as this construct: triggers cannot be added to an imported pool
   * (`UserPool.fromUserPoolId`), and each pool operation takes one function, so the pool
   * must not already have a PostConfirmation or PreTokenGeneration trigger.
   */
  readonly userPool: cognito.UserPool;
  /**
   * The profile table. When absent, one is created: partition key `userId` (string),
   * on-demand, point-in-time recovery, encrypted with the AWS managed key, kept when the
   * stack is deleted.
   * @default a new table
   */
  readonly table?: dynamodb.ITable;
  /**
   * The string partition key of `table`, which holds the user's `sub`.
   * @default 'userId'
   */
  readonly partitionKey?: string;
  /** The once-only welcome email. @default no welcome, and no SES permission */
  readonly welcome?: ProfileSyncWelcome;
  /** The PreTokenGeneration trigger, or `false` for none. @default `{ version: 'V1_0' }` */
  readonly preTokenGeneration?: ProfileSyncPreTokenGeneration | false;
  /** The admin-change function and its EventBridge rule, or `false` for none. @default `{ onDelete: 'mark' }` */
  readonly adminChanges?: ProfileSyncAdminChanges | false;
  /** The scheduled reconcile, or `false` for none. @default `{ schedule: 'rate(1 day)', orphans: 'report' }` */
  readonly reconcile?: ProfileSyncReconcile | false;
  /**
   * Erase a deleted user's items from these tables, once per user: the admin-changes
   * function on each deletion, reconcile for the orphans it resolves and for erasures left
   * pending. Each function may `Query` and `BatchWriteItem` (or `DeleteItem`, for a table
   * keyed by the `sub` alone) on those tables only.
   * @default no erasure
   */
  readonly erasure?: ProfileSyncErasure;
  /** Your own entry files instead of the ready handlers. @default the ready handlers */
  readonly handlers?: ProfileSyncHandlers;
  /**
   * How long the functions' logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** The functions {@link ProfileSync} deployed, for your own grants, alarms and settings. */
export interface ProfileSyncFunctions {
  readonly postConfirmation: lambda.Function;
  /** Absent with `preTokenGeneration: false`. */
  readonly preTokenGeneration?: lambda.Function;
  /** Absent with `adminChanges: false`. */
  readonly adminChanges?: lambda.Function;
  /** Absent with `reconcile: false`. */
  readonly reconcile?: lambda.Function;
}
