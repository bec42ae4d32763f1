import { AdminGetUserCommand, DescribeUserPoolCommand, UpdateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostConfirmationHandler } from '../../src/index.js';
import { type DemoWorld, jwtClaims, startDemoWorld } from '../../src/demo/world.js';
import type { LocalStack, PreTokenGenerationVersion } from '../../src/local/index.js';

/*
 * The library's real handlers behind cognito-local, invoked by the emulator through the
 * local Lambda Invoke endpoint, writing to dynalite and mailing through aws-ses-v2-local.
 * Everything runs twice: with the pool's pre token generation trigger at V1_0 and at V2_0.
 */
let count = 0;
const email = (name: string) => `${name}-${++count}@e2e.example`;

/** Sets the pool's trigger version with UpdateUserPool, carrying over what it would reset, as on AWS. */
async function usePreTokenGenerationVersion(stack: LocalStack, version: PreTokenGenerationVersion): Promise<void> {
  const { UserPool } = await stack.clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: stack.userPoolId }));
  await stack.clients.cognito.send(
    new UpdateUserPoolCommand({
      UserPoolId: stack.userPoolId,
      AutoVerifiedAttributes: UserPool?.AutoVerifiedAttributes,
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:local-PreTokenGeneration', LambdaVersion: version } },
    }),
  );
}

describe.each(['V1_0', 'V2_0'] as const)('end to end on the local stack, pre token generation %s', (version) => {
  let world: DemoWorld;
  const tokenEventVersions = () =>
    world.stack.invocations.filter((call) => call.trigger === 'PreTokenGeneration').map((call) => (call.event as { version: string }).version);

  beforeAll(async () => {
    world = await startDemoWorld();
    await usePreTokenGenerationVersion(world.stack, version);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('the serverless-patterns flow: SignUp with custom names, AdminConfirmSignUp, the row found by sub', async () => {
    const address = email('peer');

    const sub = await world.signUp(address, { 'custom:firstName': 'Grace', 'custom:lastName': 'Hopper' });
    await world.adminConfirm(address);

    expect(await world.row(sub)).toMatchObject({ userId: sub, email: address, firstName: 'Grace', lastName: 'Hopper', userPoolId: world.stack.userPoolId });
    expect((await world.mails()).filter((mail) => mail.destination.to.includes(address))).toHaveLength(1);
  });

  it('a trigger that throws is reported as a function error and the user stays confirmed', async () => {
    // Prepare: a PostConfirmation handler whose table does not exist, a real DynamoDB failure
    const failing = createPostConfirmationHandler({ table: { name: 'no-such-table', client: world.stack.clients.dynamodb }, logger: { info() {}, warn() {}, error() {} } });
    world.stack.setHandlers({ ...world.handlers, PostConfirmation: failing });
    const address = email('fails');
    try {
      // Act
      const sub = await world.signUp(address);
      const confirming = world.adminConfirm(address);

      // Assess: the client gets UserLambdaValidationException, as from AWS
      await expect(confirming).rejects.toMatchObject({ name: 'UserLambdaValidationException', message: expect.stringContaining('PostConfirmation failed with error') });
      const call = world.stack.invocations.find((invocation) => invocation.userName === sub && invocation.trigger === 'PostConfirmation');
      expect(call).toMatchObject({ errored: true, errorType: 'ProfileWriteError' });
      const user = await world.stack.clients.cognito.send(new AdminGetUserCommand({ UserPoolId: world.stack.userPoolId, Username: address }));
      expect(user.UserStatus).toBe('CONFIRMED');
      expect(await world.row(sub)).toBeUndefined();
    } finally {
      world.stack.setHandlers(world.handlers);
    }
  });

  it('a user whose confirmation write failed gets the row at first sign-in', async () => {
    const failing = createPostConfirmationHandler({ table: { name: 'no-such-table', client: world.stack.clients.dynamodb }, logger: { info() {}, warn() {}, error() {} } });
    world.stack.setHandlers({ ...world.handlers, PostConfirmation: failing });
    const address = email('heals');
    const sub = await world.signUp(address, { given_name: 'Ada' });
    await expect(world.adminConfirm(address)).rejects.toMatchObject({ name: 'UserLambdaValidationException' });
    world.stack.setHandlers(world.handlers);

    const { idToken } = await world.signIn(address);

    expect(await world.row(sub)).toMatchObject({ firstName: 'Ada', lastLoginAt: expect.any(String) });
    expect(jwtClaims(idToken).member_since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(tokenEventVersions().at(-1)).toBe(version.charAt(1)); // the handler read this version's event
  });

  it('an admin edit followed by a sign-in updates the row and the claims', async () => {
    const address = email('edit');
    const sub = await world.signUp(address, { 'custom:plan': 'free' });
    await world.adminConfirm(address);

    await world.adminUpdate(address, { 'custom:plan': 'enterprise' });
    const { idToken } = await world.signIn(address);

    expect(await world.row(sub)).toMatchObject({ plan: 'enterprise' });
    expect(jwtClaims(idToken).plan).toBe('enterprise');
  });

  it('CloudTrail events for an admin update and an admin delete change the row accordingly', async () => {
    const address = email('admin');
    const sub = await world.signUp(address, { name: 'Before' });
    await world.adminConfirm(address);

    await world.adminUpdate(address, { name: 'After' });
    const updated = await world.adminChange(world.cloudTrailEvent('AdminUpdateUserAttributes', sub));
    const afterUpdate = await world.row(sub);
    await world.adminDelete(address);
    const deleted = await world.adminChange(world.cloudTrailEvent('AdminDeleteUser', sub));

    expect(updated.outcome).toBe('synced');
    expect(afterUpdate).toMatchObject({ name: 'After', enabled: true });
    expect(deleted.outcome).toBe('marked');
    expect(await world.row(sub)).toMatchObject({ name: 'After', deletedAt: expect.any(String) });
  });
});
