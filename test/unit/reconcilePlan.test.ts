import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftedFields, welcomeDue } from '../../src/reconcilePlan.js';
import { SubSet } from '../../src/subSet.js';

describe('driftedFields', () => {
  it('returns only the mapped fields whose stored value differs', () => {
    const mapped = { userId: 'u', email: 'new@example.com', emailVerified: true, tags: new Set(['a', 'b']), createdAt: 'now', updatedAt: 'now' };
    const row = { userId: 'u', email: 'old@example.com', emailVerified: true, tags: new Set(['b', 'a']), createdAt: 'then', plan: 'gold' };

    expect(driftedFields(mapped, row, 'userId')).toEqual({ email: 'new@example.com' });
  });

  it('compares lists and maps by content and notices a missing field', () => {
    const mapped = { address: { city: 'Lyon', zip: '69001' }, phones: ['1', '2'], nickname: 'Ada' };

    expect(driftedFields(mapped, { address: { zip: '69001', city: 'Lyon' }, phones: ['1', '2'] }, 'userId')).toEqual({ nickname: 'Ada' });
    expect(driftedFields(mapped, { address: { city: 'Paris', zip: '69001' }, phones: ['2', '1'], nickname: 'Ada' }, 'userId')).toEqual({
      address: { city: 'Lyon', zip: '69001' },
      phones: ['1', '2'],
    });
  });

  it('never reports the key, the timestamps or the welcome bookkeeping as drift', () => {
    const mapped = { userId: 'x', createdAt: 'a', updatedAt: 'b', welcomeSentAt: 'c', welcomeClaimId: 'd' };

    expect(driftedFields(mapped, {}, 'userId')).toEqual({});
  });

  it('finds no drift between any mapped profile and itself', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1 }), fc.string(), { maxKeys: 3 }));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), value, { maxKeys: 6 }), (profile) => {
        expect(driftedFields(profile, structuredClone(profile), 'userId')).toEqual({});
      }),
    );
  });
});

describe('welcomeDue', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');

  it('is due for an expired claim with no sent marker, and only then', () => {
    expect(welcomeDue({ welcomeClaimId: 'c', welcomeClaimExpiresAt: now - 1 }, now)).toBe(true);
    expect(welcomeDue({ welcomeClaimId: 'c', welcomeClaimExpiresAt: 0 }, now)).toBe(true); // released after a failure
    expect(welcomeDue({ welcomeClaimId: 'c', welcomeClaimExpiresAt: now + 1000 }, now)).toBe(false); // a delivery is on it
    expect(welcomeDue({ welcomeClaimExpiresAt: now - 1, welcomeSentAt: '2026-11-01T00:00:00Z' }, now)).toBe(false);
    expect(welcomeDue({ email: 'backfilled@example.com' }, now)).toBe(false); // no claim ever: backfilled
  });
});

describe('SubSet', () => {
  it('holds exactly the subs added, UUIDs and others alike', () => {
    const set = new SubSet(16);
    const added = Array.from({ length: 5000 }, () => randomUUID());
    for (const sub of added) set.add(sub);
    set.add('not-a-uuid');
    set.add(added[0]!); // a duplicate

    expect(set.size).toBe(5001);
    expect(added.every((sub) => set.has(sub))).toBe(true);
    expect(set.has('not-a-uuid')).toBe(true);
    expect(Array.from({ length: 5000 }, () => randomUUID()).some((sub) => set.has(sub))).toBe(false);
    expect(set.has(added[1]!.toUpperCase())).toBe(false); // keys are compared exactly
  });

  it('agrees with a Set on arbitrary adds and look-ups', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uuid(), fc.string())), fc.array(fc.oneof(fc.uuid(), fc.string())), (adds, probes) => {
        const set = new SubSet(16);
        const reference = new Set<string>();
        for (const sub of adds) {
          set.add(sub);
          reference.add(sub);
        }
        expect(set.size).toBe(reference.size);
        for (const probe of [...adds, ...probes]) expect(set.has(probe)).toBe(reference.has(probe));
      }),
    );
  });

  it('keeps a million subs in under 40 MB, and under 60 MB at the peak while growing', () => {
    const set = new SubSet();
    for (let index = 0; index < 1_000_000; index += 1) set.add(`00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`);

    expect(set.size).toBe(1_000_000);
    expect(set.bytes).toBeLessThan(40 * 1024 * 1024);
    expect(set.peakBytes).toBeGreaterThan(set.bytes); // it grew, and both tables were counted
    expect(set.peakBytes).toBeLessThan(60 * 1024 * 1024);
    expect(set.has('00000000-0000-4000-8000-0000000f423f')).toBe(true); // the last one, 999999
    expect(set.has('00000000-0000-4000-8000-0000000f4240')).toBe(false);
  });
});
