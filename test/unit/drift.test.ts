import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftedFields } from '../../src/reconcile/drift.js';

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
