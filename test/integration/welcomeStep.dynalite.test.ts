import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostConfirmationHandler as createStepHandler } from '../../src/entries/postConfirmation.js';
import {
  asWelcome,
  ConfigurationError,
  createPostConfirmationHandler,
  sesWelcomeEmail,
  welcomeStep,
  type Profile,
  type WelcomeSender,
  type WelcomeStep,
} from '../../src/index.js';
import { buildPostConfirmationEvent } from '../../src/testing/index.js';
import { startDynalite, type TestDynamo } from '../support/dynalite.js';

/*
 * A welcome step carries the once-only protocol, so that the per-handler entry point
 * (`cognito-profile-sync/post-confirmation`) bundles none of it without a welcome. These
 * check that a step keeps every promise of the protocol on a real dynalite row, and that the
 * entry points take what they say they take.
 */
let dynamo: TestDynamo;
let table: string;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});
beforeEach(async () => {
  table = `steps-${++tables}`;
  await dynamo.createTable(table);
});

const tableOption = () => ({ name: table, client: dynamo.client });
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A sender that fails its first `failures` calls, then records each user it welcomes. */
function flakySender(failures: number) {
  const sent: string[] = [];
  let calls = 0;
  const send: WelcomeSender = async (profile: Profile) => {
    calls += 1;
    if (calls <= failures) throw new Error('mail server down');
    sent.push(profile.userId as string);
  };
  return { sent, send, calls: () => calls };
}

describe('the per-handler entry point takes welcome steps only', () => {
  it('refuses a bare function at cold start, naming onWelcome and the ways to make a step', () => {
    const create = () => createStepHandler({ table: 'profiles', onWelcome: (async () => undefined) as unknown as WelcomeStep });

    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(expect.objectContaining({ option: 'onWelcome' }));
    expect(create).toThrow(/welcomeStep\(fn\), sesWelcomeEmail\(\.\.\.\) or asWelcome\(handler\)/);
  });

  it('refuses a value that is no function, naming onWelcome', () => {
    expect(() => createStepHandler({ table: 'profiles', onWelcome: 'send' as unknown as WelcomeStep })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', option: 'onWelcome' }),
    );
  });

  it('refuses a Proxy that throws on every read with a ConfigurationError, not a TypeError', () => {
    const hostile = new Proxy(async () => undefined, {
      get() {
        throw new TypeError('no reads here');
      },
    });

    expect(() => createStepHandler({ table: 'profiles', onWelcome: hostile as unknown as WelcomeStep })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', option: 'onWelcome' }),
    );
  });

  it('takes the steps that welcomeStep, sesWelcomeEmail and asWelcome make', () => {
    const steps = [
      welcomeStep(async () => undefined),
      sesWelcomeEmail({ source: 'hello@example.com', subject: 'Welcome', text: 'Hi' }),
      asWelcome(async (event) => event),
    ];

    for (const onWelcome of steps) expect(() => createStepHandler({ table: 'profiles', onWelcome })).not.toThrow();
  });

  it('checks the welcome options when there is a welcome, and only then', () => {
    const onWelcome = welcomeStep(async () => undefined);

    expect(() => createStepHandler({ table: 'profiles', welcomeLeaseMs: 10 })).not.toThrow();
    expect(() => createStepHandler({ table: 'profiles', onWelcome, welcomeLeaseMs: 10 })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', option: 'welcomeLeaseMs' }),
    );
    expect(() => createStepHandler({ table: 'profiles', onWelcome, welcomeLeaseMs: 4000 })).toThrow(/must exceed deadlineMs \(4500 ms\)/);
    expect(() => createStepHandler({ table: 'profiles', onWelcome, welcomeDelivery: 'twice' as never })).toThrow(
      expect.objectContaining({ option: 'welcomeDelivery' }),
    );
  });
});

describe('welcomeStep', () => {
  it('refuses what is not a function, naming itself', () => {
    expect(() => welcomeStep('send' as unknown as WelcomeSender)).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', option: 'welcomeStep' }),
    );
  });

  it('returns a step as it is, and a step still sends when called', async () => {
    const seen: string[] = [];
    const step = welcomeStep(async (profile) => void seen.push(profile.userId as string));

    expect(welcomeStep(step)).toBe(step);
    await step({ userId: 'u-1' }, { sub: 'u-1', attributes: {}, signal: new AbortController().signal });
    expect(seen).toEqual(['u-1']);
  });
});

describe('a step keeps the once-only protocol on a real row', () => {
  const deliveries = async (handler: ReturnType<typeof createStepHandler>, sub: string, times: number) => {
    const event = buildPostConfirmationEvent({ sub });
    for (let i = 0; i < times; i += 1) await handler(event, undefined as never);
  };

  it('through the per-handler entry: a failed send is retried by the next delivery, then never again', async () => {
    const sender = flakySender(1);
    const handler = createStepHandler({ table: tableOption(), onWelcome: welcomeStep(sender.send), logger });
    const sub = randomUUID();

    await deliveries(handler, sub, 4);

    expect(sender.calls()).toBe(2);
    expect(sender.sent).toEqual([sub]);
    const row = await dynamo.getItem(table, { userId: sub });
    expect(row?.welcomeSentAt).toEqual(expect.any(String));
    expect(row?.welcomeClaimId).toBeUndefined();
  });

  it('through the root entry, which makes a bare function a step: the same', async () => {
    const sender = flakySender(1);
    const handler = createPostConfirmationHandler({ table: tableOption(), onWelcome: sender.send, logger });
    const sub = randomUUID();

    await deliveries(handler, sub, 4);

    expect(sender.calls()).toBe(2);
    expect(sender.sent).toEqual([sub]);
  });

  it('two concurrent deliveries through the per-handler entry send one welcome', async () => {
    const sender = flakySender(0);
    const handler = createStepHandler({ table: tableOption(), onWelcome: welcomeStep(sender.send), logger });
    const event = buildPostConfirmationEvent({ sub: randomUUID() });

    await Promise.all([handler(event, undefined as never), handler(event, undefined as never)]);

    expect(sender.sent).toHaveLength(1);
  });

  it('a step made by the CommonJS build runs in a handler of the ESM sources, as when both copies are installed', async () => {
    const require = createRequire(import.meta.url);
    const cjs = require('../../dist/welcome/index.cjs') as { welcomeStep: typeof welcomeStep };
    const sender = flakySender(0);
    const handler = createStepHandler({ table: tableOption(), onWelcome: cjs.welcomeStep(sender.send), logger });
    const sub = randomUUID();

    await deliveries(handler, sub, 2);

    expect(sender.sent).toEqual([sub]);
  });
});
