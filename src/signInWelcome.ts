import type { Context, PostConfirmationTriggerEvent } from 'aws-lambda';
import { PostConfirmationSource, WelcomeAttribute, WelcomeDelivery, WelcomeOutcome } from './constants.js';
import type { Deadline } from './deadline.js';
import { ConfigurationError } from './errors.js';
import { checkSourceList, type WelcomeDeliveryOption } from './options.js';
import { type FieldsUpdate, updateProfileFields } from './store/profileStore.js';
import type { ResolvedTable } from './store/table.js';
import type { Profile, TriggerUser } from './types.js';
import { welcomeStep } from './welcome/once.js';
import { checkWelcomeStep, startWelcome, type WelcomeAttempt, type WelcomeOnce, type WelcomeRun, type WelcomeSender } from './welcome/step.js';

/*
 * The once-only welcome at sign-in, for users who never fire PostConfirmation (made by
 * `AdminCreateUser`, they first arrive as `TokenGeneration_NewPasswordChallenge`). It is the
 * PostConfirmation protocol on the same row: the sign-in's upsert takes the claim where the
 * protocol allows it, the send runs under the sign-in's deadline, and nothing here fails a
 * sign-in.
 */

/** The welcome options of {@link createPreTokenGenerationHandler}. */
export interface SignInWelcomeOptions extends WelcomeDeliveryOption {
  /**
   * The once-only welcome step, the same as PostConfirmation's (such as {@link sesWelcomeEmail}),
   * run at a sign-in from one of `welcomeSources`, through the same claim on the row: a user
   * gets one welcome whichever trigger sends it. A failed or timed-out welcome never fails
   * or holds the sign-in past the deadline; it is logged and left to the next such sign-in
   * or to reconcile.
   * @default undefined (no welcome)
   */
  onWelcome?: WelcomeSender;
  /**
   * How long a sign-in's claim on the welcome lasts when it never finishes; after it the
   * welcome is unknown (see `welcomeDelivery`). Must exceed `deadlineMs`.
   * @default 60000
   */
  welcomeLeaseMs?: number;
  /**
   * The sign-ins that run the welcome. The default is the first sign-in of a user made by
   * `AdminCreateUser`; sign-ins from `TokenGeneration_Authentication` (users who existed
   * before, or who already had their welcome) send none.
   * @default ['TokenGeneration_NewPasswordChallenge']
   */
  welcomeSources?: readonly string[];
}

const defaultWelcomeSources: readonly string[] = ['TokenGeneration_NewPasswordChallenge'];
const SOURCE_PREFIX = 'TokenGeneration_';

/** The welcome of a sign-in handler, as configured. @internal */
export interface SignInWelcome {
  readonly sources: ReadonlySet<string>;
  readonly once: WelcomeOnce;
  readonly takeOverUnknown: boolean;
}

/**
 * Checks the welcome options once, at cold start: a source that is not a pre token
 * generation source, or that `skipTriggerSources` passes through, could never welcome.
 *
 * @returns the configured welcome, or `undefined` without `onWelcome`.
 * @internal
 */
export function validateSignInWelcome(
  options: SignInWelcomeOptions,
  table: ResolvedTable,
  deadlineMs: number,
  skipped: ReadonlySet<string>,
): SignInWelcome | undefined {
  const step = checkWelcomeStep(options.onWelcome, welcomeStep);
  const sources = checkSourceList(options.welcomeSources ?? defaultWelcomeSources, 'welcomeSources');
  for (const source of sources) {
    const named = `"${source.slice(0, 64)}"`;
    if (!source.startsWith(SOURCE_PREFIX)) {
      throw new ConfigurationError('welcomeSources', `must list pre token generation sources (${SOURCE_PREFIX}...), got ${named}`);
    }
    if (skipped.has(source)) throw new ConfigurationError('welcomeSources', `${named} is in skipTriggerSources too, so it never runs`);
  }
  if (step === undefined) return undefined;
  // A send runs at most until the deadline; the lease must outlast it.
  const once = startWelcome(step, { table, leaseMs: options.welcomeLeaseMs, delivery: options.welcomeDelivery, sendBudget: { option: 'deadlineMs', ms: deadlineMs } });
  return { sources, once, takeOverUnknown: once.delivery === WelcomeDelivery.AtLeastOnce };
}

/** What a sign-in's write left: the row as it now is, and the attempt when the write took its claim. @internal */
export interface SignInWrite {
  readonly row: Profile | undefined;
  readonly claimed?: WelcomeAttempt;
}

/**
 * The sign-in's one upserting write. With an `attempt`, it takes the welcome claim in the
 * same `UpdateItem`, under the condition the protocol claims by (a missing row meets it). When
 * that condition fails (the welcome was sent, is claimed, is unknown under `'at-most-once'`,
 * or the user was deleted) the sync is written without it: two writes, on sign-ins that
 * are not a first.
 *
 * @internal
 */
export async function writeSignIn(
  table: ResolvedTable,
  sub: string,
  update: FieldsUpdate,
  attempt: WelcomeAttempt | undefined,
  takeOverUnknown: boolean,
  signal: AbortSignal,
): Promise<SignInWrite> {
  if (attempt !== undefined) {
    const welcomeClaim = { claim: attempt.claim, now: Date.now(), takeOverUnknown };
    const row = await updateProfileFields(table, sub, { ...update, welcomeClaim }, signal, 'syncProfile');
    if (row !== undefined) return { row, claimed: attempt };
  }
  return { row: await updateProfileFields(table, sub, update, signal, 'syncProfile') };
}

/**
 * Runs the welcome whose claim the sign-in's write took. Never rejects: a failure is the
 * returned run's `error`, for the log line.
 *
 * @internal
 */
export function runSignInWelcome(
  attempt: WelcomeAttempt,
  user: TriggerUser,
  row: Profile,
  event: object,
  lambdaContext: Context | undefined,
  deadline: Deadline,
): Promise<WelcomeRun> {
  const context = { sub: user.sub, attributes: user.attributes, event: confirmationOf(event, user), ...(lambdaContext && { lambdaContext }) };
  return attempt.run({ rowCreated: false, claimTaken: true, sub: user.sub, profile: withoutWelcomeState(row), context, deadline });
}

const WELCOME_STATE: ReadonlySet<string> = new Set(Object.values(WelcomeAttribute));

/** The row as the sender sees it: the profile, without the welcome's own bookkeeping. */
function withoutWelcomeState(row: Profile): Profile {
  return Object.fromEntries(Object.entries(row).filter(([field]) => !WELCOME_STATE.has(field)));
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The confirmation the welcome step is given at a sign-in: the `PostConfirmation_ConfirmSignUp`
 * event this user never fired, from the sign-in's pool, region, user name, app client and
 * attributes, so that a PostConfirmation handler made the welcome step with `asWelcome` runs
 * here as it does in the trigger and in reconcile.
 *
 * @internal
 */
export function confirmationOf(event: object, user: TriggerUser): PostConfirmationTriggerEvent {
  const { region, callerContext } = event as { region?: unknown; callerContext?: { awsSdkVersion?: unknown; clientId?: unknown } | null };
  return {
    version: '1',
    region: text(region) || (user.userPoolId.split('_')[0] ?? ''),
    userPoolId: user.userPoolId,
    triggerSource: PostConfirmationSource.ConfirmSignUp,
    userName: user.userName,
    callerContext: { awsSdkVersion: text(callerContext?.awsSdkVersion), clientId: text(callerContext?.clientId) },
    request: { userAttributes: { ...user.attributes } },
    response: {},
  };
}
