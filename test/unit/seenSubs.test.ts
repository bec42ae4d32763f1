import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenSubs } from '../../src/reconcile/seenSubs.js';

describe('SeenSubs', () => {
  it('holds exactly the subs added, UUIDs and others alike', () => {
    const set = new SeenSubs(16);
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
        const set = new SeenSubs(16);
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
    const set = new SeenSubs();
    for (let index = 0; index < 1_000_000; index += 1) set.add(`00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`);

    expect(set.size).toBe(1_000_000);
    expect(set.bytes).toBeLessThan(40 * 1024 * 1024);
    expect(set.peakBytes).toBeGreaterThan(set.bytes); // it grew, and both tables were counted
    expect(set.peakBytes).toBeLessThan(60 * 1024 * 1024);
    expect(set.has('00000000-0000-4000-8000-0000000f423f')).toBe(true); // the last one, 999999
    expect(set.has('00000000-0000-4000-8000-0000000f4240')).toBe(false);
  });
});
