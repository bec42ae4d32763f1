import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { withBackoff } from '../backoff.js';
import type { CognitoUser } from '../cognitoUsers.js';
import { PostConfirmationSource, WelcomeOutcome } from '../constants.js';
import { startDeadline } from '../deadline.js';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { buildProfileAttributesForCognitoUser } from '../store/profileItem.js';
import { createProfileItem, updateProfileFields } from '../store/profileStore.js';
import type { Profile } from '../types.js';
import { reconcileAction, welcomeState } from '../welcome/once.js';
import type { WelcomeAttempt, WelcomeRun } from '../welcome/step.js';
import { driftedFields } from './drift.js';
import type { ReconcileConfig } from './options.js';
import { countUnknownWelcome, countUser, type ReconcileReport } from './report.js';

/** The trigger source a mapper is told when reconcile maps a user. */
const MAPPING_SOURCE = 'Reconcile';

/**
 * Brings one listed user's row in step: creates it when missing (with the trigger's
 * conditional create), repairs drifted fields without undoing a newer write or bringing back
 * a deleted row, and finishes a welcome left pending.
 *
 * @internal
 */
export async function reconcileUser(
  user: CognitoUser,
  row: Profile | undefined,
  listedAt: string,
  config: ReconcileConfig,
  report: ReconcileReport,
  signal: AbortSignal,
  abortCalls = true,
): Promise<void> {
  const { table } = config;
  const sub = user.sub!;
  const now = new Date();
  const facts = { userPoolId: config.userPoolId, triggerSource: MAPPING_SOURCE, now: now.toISOString() };
  // The row as it is written: a missing row is created from it as it is, with no round trip
  // through plain data.
  const item = buildProfileAttributesForCognitoUser(user, sub, facts, config.mapAttributes, table.partitionKey);
  // `enabled` as the admin-change handler keeps it, only where it says something: on rows
  // that have it, and for disabled users (a first run does not rewrite every row).
  if (user.enabled !== undefined && (user.enabled === false || row?.enabled !== undefined)) item.enabled = { BOOL: user.enabled };

  // Users who joined after the cutoff are owed a welcome even where no trigger claimed one.
  const isNewUser =
    config.welcome !== undefined && config.welcomeAfter !== undefined && (user.createdAt?.getTime() ?? 0) > config.welcomeAfter;

  if (row === undefined) {
    // A backfilled member joined when Cognito says, not when reconcile first ran.
    if (user.createdAt !== undefined) item.createdAt = { S: user.createdAt.toISOString() };
    if (config.dryRun) {
      countUser(report, 'created', sub, config.maxIds);
      if (isNewUser) report.welcomes.pending += 1;
      return;
    }
    const attempt = isNewUser ? config.welcome?.begin() : undefined;
    const outcome = await withBackoff((s) => createProfileItem(table, attempt ? attempt.withClaim(item) : item, abortCalls ? s : undefined), config.backoff, signal);
    if (outcome === 'exists') {
      report.unchanged += 1; // a trigger wrote it while this run looked; its row stands
      return;
    }
    countUser(report, 'created', sub, config.maxIds);
    if (attempt) await sendWelcome(attempt, true, unmarshall(item), user, config, report);
    return;
  }
  const mapped = unmarshall(item);

  // A deletion is final: the row of a user deleted since the page was listed is left as it is.
  if (row.deletedAt !== undefined) {
    report.unchanged += 1;
    return;
  }

  const drifted = driftedFields(mapped, row, table.partitionKey);
  const rowUpdatedAt = typeof row.updatedAt === 'string' ? row.updatedAt : undefined;
  // A row written after the page was listed is newer than what the page says of the user.
  const newerThanListing = rowUpdatedAt !== undefined && rowUpdatedAt >= listedAt;
  if (Object.keys(drifted).length === 0 || newerThanListing) report.unchanged += 1;
  else if (config.dryRun) countUser(report, 'updated', sub, config.maxIds);
  else {
    const update = { fields: drifted, now: now.toISOString(), mode: 'existing' as const, unchangedSince: rowUpdatedAt ?? null, notDeleted: true };
    const written = await withBackoff((s) => updateProfileFields(table, sub, update, s, 'repairProfile'), config.backoff, signal);
    // The row was deleted or written again since it was read: it is not brought back, nor
    // is the newer write undone.
    if (written === undefined) report.unchanged += 1;
    else countUser(report, 'updated', sub, config.maxIds);
  }

  const action = reconcileAction(welcomeState(row, now.getTime()), config.welcomeDelivery, isNewUser);
  if (action === 'report') countUnknownWelcome(report, sub, config.maxIds);
  else if (action === 'send') {
    if (config.dryRun || config.welcome === undefined) report.welcomes.pending += 1;
    else await sendWelcome(config.welcome.begin(), false, { ...row, ...mapped, createdAt: row.createdAt ?? mapped.createdAt }, user, config, report);
  }
}

/** A welcome's failure is counted as one, never as the user's: the row is in step. */
async function sendWelcome(
  attempt: WelcomeAttempt,
  rowCreated: boolean,
  profile: Profile,
  user: CognitoUser,
  config: ReconcileConfig,
  report: ReconcileReport,
): Promise<void> {
  const sub = user.sub!;
  // The send must end before the claim it holds does, or another run could take it over.
  const budgetMs = Math.min(config.welcomeDeadlineMs, attempt.claim.expiresAt - Date.now());
  const run = await attempt.run({
    rowCreated,
    sub,
    profile,
    context: { sub, attributes: user.attributes, event: confirmationFor(user, config.userPoolId) },
    deadline: startDeadline(undefined, { deadlineMs: Math.max(1, budgetMs), safetyMarginMs: 0 }),
  });
  if (run.outcome === WelcomeOutcome.Sent) report.welcomes.sent += 1;
  else if (run.outcome === WelcomeOutcome.Failed) report.welcomes.failed += 1;
}

/**
 * The confirmation a welcome step is given when reconcile sends a pending welcome: what
 * Cognito would have delivered, from the user's current attributes, so that a trigger
 * handler made the welcome step with `asWelcome` runs there as in the trigger.
 * `callerContext.clientId` is empty: no app client is involved.
 *
 * @internal
 */
export function confirmationFor(user: CognitoUser, userPoolId: string): PostConfirmationTriggerEvent {
  return {
    version: '1',
    region: userPoolId.split('_')[0] ?? '',
    userPoolId,
    triggerSource: PostConfirmationSource.ConfirmSignUp,
    userName: user.username,
    callerContext: { awsSdkVersion: 'cognito-profile-sync-reconcile', clientId: '' },
    request: { userAttributes: { ...user.attributes } },
    response: {},
  };
}
