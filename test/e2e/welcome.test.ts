import { AdminInitiateAuthCommand, AdminRespondToAuthChallengeCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, type DemoWorld, startDemoWorld, TEMPORARY_PASSWORD } from '../../src/demo/world.js';

/*
 * One welcome per user, whichever way they arrived, end to end: the demo's real handlers
 * (PostConfirmation and PreTokenGeneration, both given the same `sesWelcomeEmail`) behind
 * cognito-local, driven through the AWS SDK, with the mail read back from aws-ses-v2-local's
 * store. The pool's pre token generation trigger is V2.
 */
let world: DemoWorld;
let count = 0;
const email = (name: string) => `${name}-${++count}@welcome.example`;

beforeAll(async () => {
  world = await startDemoWorld();
});
afterAll(async () => {
  await world?.stop();
});

/** The trigger sources the user's invocations came from, in order. */
const sourcesOf = (sub: string) => world.stack.invocations.filter((call) => call.userName === sub).map((call) => call.triggerSource);

describe('one welcome per user, whichever way they arrived', () => {
  it('an admin-created user completes the new-password challenge and gets one welcome; a second sign-in sends none', async () => {
    // Prepare
    const address = email('hedy');
    const sub = await world.adminCreate(address, { given_name: 'Hedy' });

    // Act
    const { challenge, session } = await world.startFirstSignIn(address);
    const first = await world.completeNewPassword(address, session);
    const afterFirst = await world.mailsTo(address);
    const second = await world.signIn(address);

    // Assess
    expect(challenge).toBe('NEW_PASSWORD_REQUIRED');
    expect(first.idToken).toEqual(expect.any(String));
    expect(second.idToken).toEqual(expect.any(String));
    expect(sourcesOf(sub)).toEqual(['TokenGeneration_NewPasswordChallenge', 'TokenGeneration_Authentication']);
    expect(afterFirst).toHaveLength(1);
    expect(afterFirst[0]).toMatchObject({
      from: 'Demo Club <welcome@demo.example>',
      subject: 'Welcome to Demo Club, Hedy!',
      body: { text: 'Dear Hedy, thank you for joining Demo Club.' },
    });
    expect(await world.mailsTo(address)).toHaveLength(1);
    expect(await world.row(sub)).toMatchObject({ firstName: 'Hedy', welcomeSentAt: expect.any(String), lastLoginAt: expect.any(String) });
  });

  it('the same through AdminInitiateAuth and AdminRespondToAuthChallenge', async () => {
    // Prepare
    const address = email('admin-flow');
    const sub = await world.adminCreate(address, { given_name: 'Grace' });
    const { clientId, userPoolId } = world.stack;
    const cognito = world.stack.clients.cognito;

    // Act
    const started = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: userPoolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: address, PASSWORD: TEMPORARY_PASSWORD },
      }),
    );
    await cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: userPoolId,
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: started.Session,
        ChallengeResponses: { USERNAME: address, NEW_PASSWORD: DEMO_PASSWORD },
      }),
    );
    await world.signIn(address);

    // Assess
    expect(started.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(sourcesOf(sub)).toEqual(['TokenGeneration_NewPasswordChallenge', 'TokenGeneration_Authentication']);
    expect((await world.mailsTo(address)).map((mail) => mail.subject)).toEqual(['Welcome to Demo Club, Grace!']);
  });

  it('a self-signed-up user gets one welcome across confirmation and sign-ins', async () => {
    // Prepare
    const address = email('ada');
    const sub = await world.signUp(address, { given_name: 'Ada' });

    // Act
    await world.confirmWithCode(address);
    const afterConfirmation = await world.mailsTo(address);
    await world.signIn(address);
    await world.signIn(address);

    // Assess
    expect(sourcesOf(sub)).toEqual(['PostConfirmation_ConfirmSignUp', 'TokenGeneration_Authentication', 'TokenGeneration_Authentication']);
    expect(afterConfirmation.map((mail) => mail.subject)).toEqual(['Welcome to Demo Club, Ada!']);
    expect(await world.mailsTo(address)).toHaveLength(1);
  });

  it('a user who existed before the library gets none when signing in', async () => {
    // Prepare: the user signed up and was confirmed while the pool had no triggers
    const address = email('before');
    world.stack.setHandlers({});
    let sub: string;
    try {
      sub = await world.signUp(address, { given_name: 'Edsger' });
      await world.adminConfirm(address);
    } finally {
      world.stack.setHandlers(world.handlers);
    }

    // Act: the library is in place; the user signs in as usual
    await world.signIn(address);
    await world.signIn(address);

    // Assess: the sign-in made the row, with no welcome state, and sent nothing
    expect(sourcesOf(sub)).toEqual(['TokenGeneration_Authentication', 'TokenGeneration_Authentication']);
    const row = await world.row(sub);
    expect(row).toMatchObject({ firstName: 'Edsger', lastLoginAt: expect.any(String) });
    expect(Object.keys(row!).filter((field) => field.startsWith('welcome'))).toEqual([]);
    expect(await world.mailsTo(address)).toEqual([]);
  });

  it('two concurrent first sign-ins send one welcome', async () => {
    // Prepare: two devices each get the challenge before either answers it
    const address = email('twice');
    const sub = await world.adminCreate(address, { given_name: 'Barbara' });
    const sessions = await Promise.all([world.startFirstSignIn(address), world.startFirstSignIn(address)]);

    // Act
    const answers = await Promise.all(sessions.map(({ session }) => world.completeNewPassword(address, session)));

    // Assess: both got tokens, both ran the trigger, one mail went out
    expect(answers.map(({ idToken }) => typeof idToken)).toEqual(['string', 'string']);
    expect(sourcesOf(sub)).toEqual(['TokenGeneration_NewPasswordChallenge', 'TokenGeneration_NewPasswordChallenge']);
    expect(await world.mailsTo(address)).toHaveLength(1);
    expect(await world.row(sub)).toMatchObject({ welcomeSentAt: expect.any(String) });
  });
});
