import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import type { Profile } from '../types.js';
import { type DemoWorld, jwtClaims, startDemoWorld } from './world.js';

/** One step of the story and whether what it promised held. */
export interface DemoStep {
  readonly title: string;
  readonly lines: readonly string[];
  readonly failures: readonly string[];
}

/** What the demo found. */
export interface DemoResult {
  readonly ok: boolean;
  readonly steps: readonly DemoStep[];
  readonly durationMs: number;
}

type Say = (line: string) => void;
type Check = (holds: boolean, promise: string) => void;

/** A row in one line, without the bookkeeping the reader does not need. */
function describeRow(row: Profile | undefined): string {
  if (!row) return '(no row)';
  const { userId, email, firstName, lastName, plan, welcomeSentAt, lastLoginAt, deletedAt, name } = row;
  const shown = { userId: `${String(userId).slice(0, 8)}…`, email, name, firstName, lastName, plan, welcomeSentAt, lastLoginAt, deletedAt };
  return JSON.stringify(Object.fromEntries(Object.entries(shown).filter(([, value]) => value !== undefined)));
}

/**
 * Runs the whole story against an embedded local stack: sign-ups and confirmations, the
 * profile rows and welcome mails, a password reset that writes nothing, a duplicate
 * delivery that sends nothing twice, an admin-created user's one welcome at first sign-in,
 * sign-in sync and V2 access-token claims, admin edits. Every step checks what the
 * library promises and the result says which promise, if any, did not hold.
 */
export async function runDemo(write: (text: string) => void = (text) => process.stdout.write(text)): Promise<DemoResult> {
  const startedAt = Date.now();
  const steps: DemoStep[] = [];
  write('cognito-profile-sync demo: Cognito -> Lambda -> DynamoDB -> SES, all on 127.0.0.1\n\n');
  const world = await startDemoWorld();
  write(`Local stack up: pool ${world.stack.userPoolId}, table "${world.stack.tableName}"\n\n`);

  const step = async (title: string, body: (say: Say, check: Check) => Promise<void>) => {
    const lines: string[] = [];
    const failures: string[] = [];
    const say: Say = (line) => lines.push(line);
    const check: Check = (holds, promise) => {
      if (!holds) failures.push(promise);
      lines.push(`${holds ? 'ok  ' : 'FAIL'} ${promise}`);
    };
    try {
      await body(say, check);
    } catch (error) {
      failures.push(`step threw ${(error as Error).name}: ${(error as Error).message}`);
      lines.push(`FAIL step threw ${(error as Error).name}: ${(error as Error).message}`);
    }
    steps.push({ title, lines, failures });
    write(`${steps.length}. ${title}\n${lines.map((line) => `   ${line}\n`).join('')}\n`);
  };

  try {
    await tellTheStory(world, step);
  } finally {
    await world.stop();
  }
  // Checked after the stack stopped: every handler invocation has been logged by now.
  await step('The handlers logged one line per invocation, without personal data', async (say, check) => {
    const personal = ['@demo.example', 'Ana', 'Ben', 'Chloé', 'Dan', 'Martin', 'Okafor'];
    say(`${world.logLines.length} lines; one of them:`);
    say(world.logLines[0] ?? '(none)');
    check(world.logLines.length === world.handlerRuns(), `one line for each of the ${world.handlerRuns()} handler runs`);
    check(!world.logLines.some((line) => personal.some((value) => line.includes(value))), 'no email or name in any line');
  });
  const failed = steps.filter((s) => s.failures.length > 0);
  write(failed.length === 0 ? `The story held: ${steps.length} steps, every promise kept.\n` : `${failed.length} step(s) broke a promise: ${failed.map((s) => s.title).join('; ')}\n`);
  return { ok: failed.length === 0, steps, durationMs: Date.now() - startedAt };
}

async function tellTheStory(world: DemoWorld, step: (title: string, body: (say: Say, check: Check) => Promise<void>) => Promise<void>) {
  const subs: Record<string, string> = {};
  const ana = 'ana@demo.example';
  const ben = 'ben@demo.example';
  const chloe = 'chloe@demo.example';
  const dan = 'dan@demo.example';

  await step('Three users sign up and confirm; every row goes through the same custom mapper', async (say, check) => {
    subs[ana] = await world.signUp(ana, { given_name: 'Ana' });
    await world.confirmWithCode(ana);
    say(`ana   SignUp + ConfirmSignUp with the emailed code`);
    subs[ben] = await world.signUp(ben, { given_name: 'Ben', family_name: 'Okafor' });
    await world.adminConfirm(ben);
    say(`ben   SignUp + AdminConfirmSignUp`);
    subs[chloe] = await world.signUp(chloe, { 'custom:firstName': 'Chloé', 'custom:lastName': 'Martin', 'custom:plan': 'pro' });
    await world.adminConfirm(chloe);
    say(`chloe SignUp with custom:firstName/lastName/plan + AdminConfirmSignUp`);
    for (const email of [ana, ben, chloe]) say(`row   ${describeRow(await world.row(subs[email]!))}`);
    const mails = await world.mails();
    for (const mail of mails) say(`mail  to ${mail.destination.to.join(', ')}: "${mail.subject}"`);
    check((await world.rows()).length === 3, 'three rows, one per user, keyed by sub');
    check(mails.length === 3, 'three welcome mails');
    check((await world.row(subs[chloe]!))?.firstName === 'Chloé', "chloe's custom:firstName mapped to firstName");
  });

  await step('Ana resets her password (ForgotPassword + ConfirmForgotPassword)', async (say, check) => {
    const before = await world.row(subs[ana]!);
    const mailsBefore = (await world.mails()).length;
    await world.resetPassword(ana, 'New-Passw0rd!');
    const fired = world.stack.invocations.filter((call) => call.triggerSource === 'PostConfirmation_ConfirmForgotPassword');
    say(`Cognito fired PostConfirmation_ConfirmForgotPassword ${fired.length} time(s)`);
    check(fired.length === 1, 'the trigger fired, as Cognito does on a reset');
    check(JSON.stringify(await world.row(subs[ana]!)) === JSON.stringify(before), 'the row is untouched');
    check((await world.mails()).length === mailsBefore, 'no welcome sent again');
  });

  await step("Cognito delivers Ben's confirmation again (a retry)", async (say, check) => {
    const first = world.stack.invocations.find(
      (call) => call.triggerSource === 'PostConfirmation_ConfirmSignUp' && (call.event as PostConfirmationTriggerEvent).request.userAttributes.sub === subs[ben],
    );
    const before = await world.row(subs[ben]!);
    const mailsBefore = (await world.mails()).length;
    await world.deliverAgain(first!.event as PostConfirmationTriggerEvent);
    say(`the same event, handled a second time`);
    check((await world.rows()).length === 3, 'still one row per user');
    check(JSON.stringify(await world.row(subs[ben]!)) === JSON.stringify(before), 'the row is not overwritten');
    check((await world.mails()).length === mailsBefore, 'no second welcome');
  });

  await step('Dan is created by an admin (no PostConfirmation) and signs in for the first time', async (say, check) => {
    const { sub, challenge, idToken } = await world.adminCreateAndFirstSignIn(dan, { given_name: 'Dan', 'custom:plan': 'team' });
    subs[dan] = sub;
    say(`AdminCreateUser, then sign-in: challenge ${challenge}, new password set`);
    const row = await world.row(sub);
    say(`row   ${describeRow(row)}`);
    const mails = await world.mailsTo(dan);
    for (const mail of mails) say(`mail  to ${dan}: "${mail.subject}"`);
    const sources = world.stack.invocations.filter((call) => call.userName === sub).map((call) => call.triggerSource);
    say(`triggers: ${sources.join(', ')}`);
    check(row?.lastLoginAt !== undefined, 'PreTokenGeneration created the missing row at sign-in');
    check(sources.includes('TokenGeneration_NewPasswordChallenge') && !sources.some((source) => source?.startsWith('PostConfirmation')), 'the first sign-in came as TokenGeneration_NewPasswordChallenge, with no PostConfirmation');
    check(mails.length === 1 && row?.welcomeSentAt !== undefined, 'one welcome mail, sent by the sign-in through the same once-only claim');
    check(jwtClaims(idToken).plan === 'team', "the ID token carries the profile's plan claim");
  });

  await step('Dan signs in again: still one welcome; his access token (V2) carries his plan', async (say, check) => {
    const { accessToken } = await world.signIn(dan);
    const mails = await world.mailsTo(dan);
    const access = jwtClaims(accessToken);
    say(`mails to dan: ${mails.length}`);
    say(`access token: token_use ${String(access.token_use)}, plan ${String(access.plan)}`);
    check(mails.length === 1, 'no second welcome across two sign-ins');
    check(access.token_use === 'access' && access.plan === 'team', 'the access token carries the plan claim (accessTokenClaims, pre token generation V2)');
  });

  await step('An admin changes Ana in the console; she signs in again', async (say, check) => {
    await world.adminUpdate(ana, { given_name: 'Ana Sofia', 'custom:plan': 'pro' });
    const { idToken } = await world.signIn(ana, 'New-Passw0rd!');
    const row = await world.row(subs[ana]!);
    say(`row   ${describeRow(row)}`);
    check(row?.firstName === 'Ana Sofia', 'the new name is in the row after sign-in');
    check(jwtClaims(idToken).plan === 'pro', 'the ID token carries the new plan');
    check((await world.mailsTo(ana)).length === 1, 'Ana, welcomed at confirmation, gets no second welcome at sign-in');
  });

  await step('An admin edits Ben; the CloudTrail event reaches the admin-change handler', async (say, check) => {
    await world.adminUpdate(ben, { family_name: 'Okafor-Smith' });
    const result = await world.adminChange(world.cloudTrailEvent('AdminUpdateUserAttributes', subs[ben]!));
    say(`AdminUpdateUserAttributes -> ${result.outcome}`);
    say(`row   ${describeRow(await world.row(subs[ben]!))}`);
    const edited = await world.row(subs[ben]!);
    check(result.outcome === 'synced' && edited?.lastName === 'Okafor-Smith', 'the edit is synced without a sign-in');
    check(edited?.firstName === 'Ben' && edited.name === undefined, 'the row holds his first name and the new last name, nothing stale beside them');
    await world.adminDelete(ben);
    const deleted = await world.adminChange(world.cloudTrailEvent('AdminDeleteUser', subs[ben]!));
    say(`AdminDeleteUser -> ${deleted.outcome}`);
    check((await world.row(subs[ben]!))?.deletedAt !== undefined, 'the deleted user is marked, the member record kept');
  });

  await step("Chloé's profile row is lost; reconcile restores it", async (say, check) => {
    await world.deleteRow(subs[chloe]!);
    const mailsBefore = (await world.mails()).length;
    const report = await world.reconcile();
    say(`reconcile -> scanned ${report.scanned}, created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged}, orphans ${report.orphans}`);
    const row = await world.row(subs[chloe]!);
    say(`row   ${describeRow(row)}`);
    check(report.created === 1 && report.ids.created[0] === subs[chloe], 'exactly the lost row is created again');
    check(row?.firstName === 'Chloé', 'with the fields the trigger wrote');
    check(report.errors === 0 && report.orphans === 0, "no failures, and Ben's marked row is not reported again");
    check((await world.mails()).length === mailsBefore, 'no second welcome for a restored row');
  });
}
