import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createPostConfirmationHandler as createStepHandler } from '../../src/entries/postConfirmation.js';
import { ConfigurationError, InvalidProfileError, type ProfileMapper, type WelcomeStep } from '../../src/index.js';
import { buildPostConfirmationEvent } from '../../src/testing/index.js';

/*
 * A welcome step or mapper carries code of the copy of the package that made it, and a
 * CommonJS bundle holds one copy per entry point: a mapper from `cognito-profile-sync/mapping`
 * runs in the handler of `cognito-profile-sync/post-confirmation`, and a project may mix the
 * ESM and CommonJS builds. What they throw must still be the handler's own error classes, so
 * that `failOpen` and the callers' `instanceof` hold. The built CommonJS entries (`npm test`
 * builds first) play the other copy.
 */
const require = createRequire(import.meta.url);
const cjsMapping = require('../../dist/mapping/index.cjs') as { profileMapper: (fn: (...args: never[]) => unknown) => ProfileMapper };
const cjsWelcome = require('../../dist/welcome/index.cjs') as { welcomeStep: (fn: () => Promise<void>) => WelcomeStep };
const cjsPostConfirmation = require('../../dist/post-confirmation/index.cjs') as {
  createPostConfirmationHandler: typeof createStepHandler;
  InvalidProfileError: typeof InvalidProfileError;
};
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const event = () => buildPostConfirmationEvent();

describe('a mapper made by another copy of the package', () => {
  const dated = cjsMapping.profileMapper(() => ({ joined: new Date() }));

  it("refuses a value with the handler's own InvalidProfileError, naming the field", async () => {
    const handler = cjsPostConfirmation.createPostConfirmationHandler({ table: 'profiles', mapAttributes: dated, logger });

    const error = await handler(event(), undefined as never).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(cjsPostConfirmation.InvalidProfileError);
    expect(error).toMatchObject({ field: 'joined', message: 'Invalid profile: `joined` is a Date: store date.toISOString() instead' });
  });

  it('lets failOpen see the refusal, so the confirmation goes on', async () => {
    const handler = cjsPostConfirmation.createPostConfirmationHandler({ table: 'profiles', mapAttributes: dated, failOpen: true, logger });
    const given = event();

    await expect(handler(given, undefined as never)).resolves.toBe(given);
  });

  it('refuses an empty field name as such, not as a value that threw when read', async () => {
    const handler = createStepHandler({ table: 'profiles', mapAttributes: cjsMapping.profileMapper(() => ({ '': 'x' })), logger });

    const error = await handler(event(), undefined as never).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error).toMatchObject({ field: 'profile', message: 'Invalid profile: `profile` has an empty field name' });
  });
});

describe('a welcome step made by another copy of the package', () => {
  it("refuses a bad lease with the handler's own ConfigurationError", () => {
    const onWelcome = cjsWelcome.welcomeStep(async () => undefined);
    const create = () => createStepHandler({ table: 'profiles', onWelcome, welcomeLeaseMs: 10 });

    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(expect.objectContaining({ option: 'welcomeLeaseMs', message: expect.stringMatching(/^Invalid option `welcomeLeaseMs`: must be at least 1000 ms/) }));
  });
});
