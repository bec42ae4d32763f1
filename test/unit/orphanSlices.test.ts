import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ScanCommand, type ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { checkOrphans } from '../../src/reconcile/orphans.js';
import { prepareReconcile } from '../../src/reconcile/options.js';
import { emptyReport } from '../../src/reconcile/report.js';
import { SeenSubs } from '../../src/reconcile/seenSubs.js';
import { savedSlice } from '../../src/reconcile/sliceCycle.js';
import { checkOrphanSlices, isInSlice, rescale, sliceKeyRange, sliceStreams, splitSlice, type SubSlice } from '../../src/reconcile/slices.js';

const COUNTS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const slicesOf = (count: number): SubSlice[] => Array.from({ length: count }, (_, index) => ({ index, count }));
const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');
const PREFIXES_3 = Array.from({ length: 4096 }, (_, n) => hex(n, 3));

describe('slices of the pool by sub prefix', () => {
  it.each(COUNTS)('with %i slices, lists every sub in exactly one slice, in 16 to 128 streams a slice', (count) => {
    const owner = new Map<string, number>();
    const twice: string[] = [];
    for (const slice of slicesOf(count)) {
      const streams = sliceStreams(slice);
      expect(streams.length).toBeGreaterThanOrEqual(16);
      expect(streams.length).toBeLessThanOrEqual(128);
      // Each stream as the three-digit prefixes it lists.
      for (const prefix of streams.flatMap((stream) => PREFIXES_3.filter((p) => p.startsWith(stream)))) {
        if (owner.has(prefix)) twice.push(prefix);
        owner.set(prefix, slice.index);
      }
    }
    expect(twice).toEqual([]);
    expect(owner.size).toBe(4096);
    // The slice that lists a sub is the one whose rows hold it, by the check and by the scan's key range.
    const wrong: string[] = [];
    for (const [prefix, index] of owner) {
      const sub = `${prefix}${randomUUID().slice(3)}`;
      for (const slice of slicesOf(count)) {
        const range = sliceKeyRange(slice);
        const inRange = range === undefined || (sub >= range.from && sub < range.to);
        if (isInSlice(sub, slice) !== (slice.index === index) || inRange !== (slice.index === index)) wrong.push(`${sub} in ${slice.index}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('splits a slice into the two that cover it, up to 256', () => {
    expect(splitSlice({ index: 3, count: 4 })).toEqual({ index: 6, count: 8 });
    expect(splitSlice({ index: 255, count: 256 })).toBeUndefined();
    expect(rescale({ index: 3, count: 8 }, 32)).toEqual({ index: 12, count: 32 });
    expect(rescale({ index: 3, count: 8 }, 4)).toEqual({ index: 3, count: 8 });
  });

  it('reads where the cycle stands from the control item, as at least the configured slices', () => {
    const POOL = 'eu-west-1_A';
    expect(savedSlice({ userPoolId: POOL, orphanSlice: 3, orphanSlices: 8 }, POOL, 1)).toEqual({ index: 3, count: 8 });
    expect(savedSlice({ userPoolId: POOL, orphanSlice: 3, orphanSlices: 8 }, POOL, 32)).toEqual({ index: 12, count: 32 });
    expect(savedSlice({ userPoolId: 'eu-west-1_B', orphanSlice: 3, orphanSlices: 8 }, POOL, 2)).toEqual({ index: 0, count: 2 });
    expect(savedSlice({ userPoolId: POOL, orphanSlice: 8, orphanSlices: 8 }, POOL, 1)).toEqual({ index: 0, count: 8 });
    expect(savedSlice({ userPoolId: POOL, orphanSlice: 1, orphanSlices: 6 }, POOL, 4)).toEqual({ index: 0, count: 4 });
    expect(savedSlice({ userPoolId: POOL, cursor: 'x' }, POOL, 1)).toEqual({ index: 0, count: 1 });
    expect(savedSlice(undefined, POOL, 16)).toEqual({ index: 0, count: 16 });
  });

  it('takes a power of two from 1 to 256 for orphanSlices, 1 by default', () => {
    expect(checkOrphanSlices(undefined)).toBe(1);
    expect(checkOrphanSlices(256)).toBe(256);
    for (const bad of [0, 6, 512, -2, Number.NaN, '8']) expect(() => checkOrphanSlices(bad)).toThrow(/orphanSlices/);
  });
});

// A table (an emulator, say) that ignores the scan's key filter must not widen a slice.
describe('the orphan check of one slice', () => {
  const ddb = mockClient(DynamoDBClient);
  const cognito = mockClient(CognitoIdentityProviderClient);
  afterEach(() => {
    ddb.reset();
    cognito.reset();
  });

  it('checks only the rows keyed in its slice, whatever the scan returns', async () => {
    const rows = ['0', '4', '8', 'c'].map((digit) => `${digit}${randomUUID().slice(1)}`);
    ddb.on(ScanCommand).callsFake((input: ScanCommandInput) => ({
      Items: input.Segment === 0 ? rows.map((sub) => marshall({ id: sub, createdAt: '2020-01-01T00:00:00Z' })) : [],
    }));
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const config = prepareReconcile({
      userPoolId: 'eu-west-1_AbC123',
      table: { name: 'profiles', partitionKey: 'id', client: new DynamoDBClient({ region: 'us-east-1' }) },
      cognitoClient: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
      listUsersPerSecond: Infinity,
    });
    const report = emptyReport(false);

    await checkOrphans(new SeenSubs(), new Date().toISOString(), config, report, new AbortController().signal, { index: 1, count: 4 });

    expect(report).toMatchObject({ orphansChecked: true, orphans: 1, ids: { orphans: [rows[1]] } });
    expect(cognito.commandCalls(ListUsersCommand).map((call) => call.args[0].input.Filter)).toEqual([`sub = "${rows[1]}"`]);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(8);
  });
});
