import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  createPostConfirmationHandler,
  createReconcileHandler,
  profileSync,
  reconcile,
  withProfileSync,
  type WelcomeSender,
} from '../../src/index.js';
import { profileSyncMiddleware } from '../../src/middy.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { reconcileAction, welcomeState } from '../../src/welcome/once.js';
import { recordingLogger } from '../support/logger.js';

/* The once-only protocol's own rules: its states, its lease, its deadline share, its failures. */
const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const table = { name: 'profiles', client };
const SUB = '11111111-2222-3333-4444-555555555555';
const NOW = new Date('2026-05-04T03:02:01.000Z');

afterEach(() => {
  vi.useRealTimers();
  ddb.reset();
});

describe('welcome states', () => {
  const now = NOW.getTime();
  const rows = {
    none: { userId: SUB, email: 'backfilled@example.com' },
    claimed: { welcomeClaimId: 'c', welcomeClaimExpiresAt: now + 1000 },
    failed: { welcomeFailedAt: '2026-05-04T03:00:00.000Z' },
    unknown: { welcomeClaimId: 'c', welcomeClaimExpiresAt: now - 1 },
    sent: { welcomeSentAt: '2026-05-04T03:00:00.000Z' },
  };

  it.each(Object.entries(rows))('reads a row as %s', (state, row) => {
    expect(welcomeState(row, now)).toBe(state);
  });

  it('reads a sent marker as sent whatever else the row holds', () => {
    expect(welcomeState({ ...rows.unknown, ...rows.failed, ...rows.sent }, now)).toBe('sent');
  });

  it.each([
    // state, policy, user newer than the cutoff, what reconcile does
    ['failed', 'at-most-once', false, 'send'],
    ['failed', 'at-least-once', false, 'send'],
    ['unknown', 'at-most-once', true, 'report'],
    ['unknown', 'at-least-once', false, 'send'],
    ['none', 'at-most-once', false, undefined],
    ['none', 'at-most-once', true, 'send'],
    ['claimed', 'at-least-once', true, undefined],
    ['sent', 'at-least-once', true, undefined],
  ] as const)('reconcile on a %s welcome, %s, new user %s: %s', (state, policy, isNewUser, action) => {
    expect(reconcileAction(state, policy, isNewUser)).toBe(action);
  });
});

describe('the lease must outlast a send', () => {
  const onWelcome: WelcomeSender = async () => undefined;
  const reconcileOptions = { userPoolId: 'eu-west-1_Pool123', table, onWelcome };
  /** Every entry point that runs a welcome, built with these options. */
  const entryPoints: Array<[string, (extra: Record<string, unknown>) => unknown]> = [
    ['createPostConfirmationHandler', (extra) => createPostConfirmationHandler({ table, onWelcome, ...extra })],
    ['profileSync', (extra) => profileSync({ table, onWelcome, ...extra })],
    ['withProfileSync as-welcome', (extra) => withProfileSync({ table, runExisting: 'as-welcome', ...extra })(async (event) => event)],
    ['profileSyncMiddleware', (extra) => profileSyncMiddleware({ table, onWelcome, ...extra })],
    ['createReconcileHandler', (extra) => createReconcileHandler({ ...reconcileOptions, ...renameDeadline(extra) })],
  ];
  /** Reconcile's send budget is `welcomeDeadlineMs`; the handlers' is `deadlineMs`. */
  function renameDeadline({ deadlineMs, ...rest }: Record<string, unknown>) {
    return deadlineMs === undefined ? rest : { ...rest, welcomeDeadlineMs: deadlineMs };
  }

  it.each(entryPoints)(
    '%s refuses welcomeLeaseMs 1000, under the 4.5 s a send may run (two deliveries 1.2 s apart both sent with it)',
    (_name, build) => {
      expect(() => build({ welcomeLeaseMs: 1000 })).toThrow(ConfigurationError);
      expect(() => build({ welcomeLeaseMs: 1000 })).toThrow(expect.objectContaining({ option: 'welcomeLeaseMs' }));
      expect(() => build({ welcomeLeaseMs: 4500 })).toThrow(expect.objectContaining({ option: 'welcomeLeaseMs' }));
      expect(() => build({ welcomeLeaseMs: 4501 })).not.toThrow();
    },
  );

  it.each(entryPoints)('%s: the lease must exceed the deadline given, the boundary refused', (_name, build) => {
    expect(() => build({ deadlineMs: 3000, welcomeLeaseMs: 3000 })).toThrow(expect.objectContaining({ option: 'welcomeLeaseMs' }));
    expect(() => build({ deadlineMs: 3000, welcomeLeaseMs: 3001 })).not.toThrow();
    // The default lease (60 s) against a longer deadline is refused too, naming the lease.
    expect(() => build({ deadlineMs: 60_000 })).toThrow(expect.objectContaining({ option: 'welcomeLeaseMs' }));
  });

  it('reconcile refuses it too, before any call', async () => {
    await expect(reconcile({ ...reconcileOptions, welcomeLeaseMs: 1000 })).rejects.toMatchObject({
      name: 'ConfigurationError',
      option: 'welcomeLeaseMs',
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('does not hold a lease against a deadline where no welcome runs', () => {
    expect(() => createPostConfirmationHandler({ table, deadlineMs: 60_000 })).not.toThrow();
  });

  it.each([0, -1, Number.NaN, '4500'])('reconcile refuses welcomeDeadlineMs %s, naming it', (welcomeDeadlineMs) => {
    expect(() => createReconcileHandler({ ...reconcileOptions, welcomeDeadlineMs: welcomeDeadlineMs as number })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', option: 'welcomeDeadlineMs' }),
    );
  });

  it.each([
    ['createPostConfirmationHandler', () => createPostConfirmationHandler({ table, onWelcome, welcomeDelivery: 'twice' as never })],
    ['reconcile', () => createReconcileHandler({ ...reconcileOptions, welcomeDelivery: 'at-least-twice' as never })],
  ])('%s refuses an unknown welcomeDelivery, naming it', (_name, build) => {
    expect(build).toThrow(expect.objectContaining({ name: 'ConfigurationError', option: 'welcomeDelivery' }));
  });
});

describe('the time kept back for recording a sent welcome', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });

  /**
   * A sender that honours its signal, as an SDK call does: it commits the mail after
   * `sendMs`, unless its signal aborted first.
   */
  function honouringSender(sendMs: number, mails: number[]): WelcomeSender {
    return (_profile, { signal }) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          mails.push(sendMs);
          resolve();
        }, sendMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
  }

  // A 1000 ms deadline keeps back min(300, 1000 / 4) = 250 ms; writing the marker takes 200.
  it.each([600, 700, 740, 760, 800, 850, 900, 990])(
    'never leaves a mail sent but unrecorded when the send takes %i of a 1000 ms deadline',
    async (sendMs) => {
      // Prepare
      const markMs = 200;
      ddb
        .on(PutItemCommand)
        .resolves({})
        .on(UpdateItemCommand)
        .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), markMs)));
      const mails: number[] = [];
      const logger = recordingLogger();
      const handler = createPostConfirmationHandler({ table, deadlineMs: 1000, onWelcome: honouringSender(sendMs, mails), logger });

      // Act
      const done = handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());
      await vi.advanceTimersByTimeAsync(2000);
      await done;

      // Assess: a mail that went out was recorded; one that could not be is never sent
      const record = logger.records[0]?.record;
      const marked = ddb.commandCalls(UpdateItemCommand).some((call) => call.args[0].input.UpdateExpression?.startsWith('SET #sentAt'));
      if (mails.length > 0) {
        expect(record).toMatchObject({ welcome: 'sent' });
        expect(record).not.toHaveProperty('welcomeError');
        expect(marked).toBe(true);
      } else {
        expect(record).toMatchObject({ welcome: 'failed', welcomeError: { name: 'DeadlineExceededError' } });
      }
      expect(mails).toEqual(sendMs < 750 ? [sendMs] : []);
    },
  );
});

describe('a welcome step that rejects with something other than an Error', () => {
  it.each([
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a string', 'ana@example.com', 'a string'],
    ['a number', 0, 'a number'],
    ['a plain object', { code: 'x' }, 'an object'],
  ])('has failed when it rejects with %s: the claim is given up, the failure logged by kind', async (_label, reason, kind) => {
    // Prepare
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    ddb.on(PutItemCommand).resolves({}).on(UpdateItemCommand).resolves({});
    const logger = recordingLogger();
    const handler = createPostConfirmationHandler({ table, onWelcome: () => Promise.reject(reason), logger, logPersonalData: true });

    // Act
    await handler(buildPostConfirmationEvent({ sub: SUB }), buildLambdaContext());

    // Assess
    const claimId = unmarshall(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!).welcomeClaimId;
    expect(ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({ UpdateExpression: 'SET #failedAt = :failedAt REMOVE #claimId, #expiresAt', ExpressionAttributeValues: expect.objectContaining({ ':claimId': { S: claimId } }) }),
    ]);
    expect(logger.records).toEqual([
      {
        level: 'warn',
        record: expect.objectContaining({
          welcome: 'failed',
          welcomeError: { name: 'WelcomeError', message: `The welcome step rejected with ${kind}, not an Error` },
        }),
      },
    ]);
    expect(logger.text()).not.toContain('ana@example.com');
  });
});
