import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RECONCILE_CURSOR_KEY } from '../index.js';
import type { ProfileSyncSettings } from './settings.js';

/**
 * Each function's statements: exactly the README's "IAM permissions" table, on the table's
 * and the pool's ARNs. Fresh statements on every call, as a statement is frozen once a
 * policy document renders it.
 */

/** Where the statements point. @internal */
export interface Targets {
  readonly tableArn: string;
  /** Only for the functions that are not triggers: a trigger given the pool's ARN would make a cycle (pool, function, role, pool). */
  readonly userPoolArn: string;
}

/**
 * `ses:SendEmail` from one address. SES authorizes a send against every identity it
 * involves (the sender's address or domain, and in the sandbox each recipient), so the
 * resource is any identity of this account and region; the condition pins the sender.
 */
function sendWelcome(settings: ProfileSyncSettings): iam.PolicyStatement[] {
  if (!settings.welcome) return [];
  return [
    new iam.PolicyStatement({
      sid: 'SendWelcomeFromOneAddress',
      actions: ['ses:SendEmail'],
      resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/*`],
      conditions: { StringEquals: { 'ses:FromAddress': settings.welcome.fromAddress } },
    }),
  ];
}

/**
 * Erasing a deleted user's items (`erasure`): on each table only what its shape needs, `Query`
 * (on the index, when the `sub` is found through one) and `BatchWriteItem`, or `DeleteItem`
 * for a table keyed by the `sub` alone.
 */
function eraseUserItems(settings: ProfileSyncSettings): iam.PolicyStatement[] {
  const tables = settings.erasure?.tables ?? [];
  const wholeKey = tables.filter((entry) => entry.sortKey === undefined && entry.index === undefined);
  const queried = tables.filter((entry) => !wholeKey.includes(entry));
  const statement = (sid: string, action: string, resources: string[]) =>
    resources.length === 0 ? [] : [new iam.PolicyStatement({ sid, actions: [action], resources: [...new Set(resources)] })];
  return [
    ...statement('EraseUserItemByKey', 'dynamodb:DeleteItem', wholeKey.map((entry) => entry.table.tableArn)),
    ...statement('FindUserItems', 'dynamodb:Query', queried.map((entry) => (entry.index ? `${entry.table.tableArn}/index/${entry.index.name}` : entry.table.tableArn))),
    ...statement('EraseUserItems', 'dynamodb:BatchWriteItem', queried.map((entry) => entry.table.tableArn)),
  ];
}

/** @internal */
export function postConfirmationStatements(settings: ProfileSyncSettings, { tableArn }: Targets): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'CreateProfileAndRecordWelcome',
      // PutItem creates the row (conditionally); UpdateItem claims the welcome and records
      // it as sent, so it is needed only with a welcome.
      actions: settings.welcome ? ['dynamodb:PutItem', 'dynamodb:UpdateItem'] : ['dynamodb:PutItem'],
      resources: [tableArn],
    }),
    ...sendWelcome(settings),
  ];
}

/** @internal */
export function preTokenGenerationStatements(settings: ProfileSyncSettings, { tableArn }: Targets): iam.PolicyStatement[] {
  // UpdateItem upserts the row, and with a welcome also claims it and records it as sent.
  return [new iam.PolicyStatement({ sid: 'UpsertProfileAtSignIn', actions: ['dynamodb:UpdateItem'], resources: [tableArn] }), ...sendWelcome(settings)];
}

/** @internal */
export function adminChangesStatements(settings: ProfileSyncSettings, { tableArn, userPoolArn }: Targets): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ApplyAdminChange',
      actions: settings.adminChanges?.onDelete === 'delete' ? ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'] : ['dynamodb:UpdateItem'],
      resources: [tableArn],
    }),
    new iam.PolicyStatement({ sid: 'ReadChangedUserBySub', actions: ['cognito-idp:ListUsers'], resources: [userPoolArn] }),
    ...eraseUserItems(settings),
  ];
}

/** @internal */
export function reconcileStatements(settings: ProfileSyncSettings, { tableArn, userPoolArn }: Targets): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReconcileProfiles',
      // BatchGetItem reads a page of rows, PutItem creates missing rows (never over one a
      // trigger made meanwhile) and saves the cursor, UpdateItem repairs drift and marks
      // orphans, Scan reads the table's keys for the orphan check.
      actions: [
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:Scan',
        // With erasure, a deleted orphan becomes a tombstone (UpdateItem) holding its erasedAt.
        ...(settings.reconcile?.orphans === 'delete' && !settings.erasure ? ['dynamodb:DeleteItem'] : []),
      ],
      resources: [tableArn],
    }),
    new iam.PolicyStatement({
      sid: 'ReadResumeCursor',
      // GetItem is needed for the cursor's control item alone, so it reaches that item only.
      actions: ['dynamodb:GetItem'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [RECONCILE_CURSOR_KEY] } },
    }),
    new iam.PolicyStatement({ sid: 'ListPoolUsers', actions: ['cognito-idp:ListUsers'], resources: [userPoolArn] }),
    ...sendWelcome(settings),
    ...eraseUserItems(settings),
  ];
}
