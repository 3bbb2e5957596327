import { describe, expect, it } from 'vitest';
import { encodeJobFraction } from '../src/monitor.ts';

/** The stages in the order the encode job (packages/core/src/services/encode-service.ts) and the codec's encoder report them. */
const STAGES = ['decode', 'probe', 'select', 'keyframes', 'weights', 'write', 'done'];

describe('encodeJobFraction', () => {
  it('rises through the stages in order, from 0 to 1, never going back', () => {
    const fractions = STAGES.flatMap((stage) => [0, 0.5, 1].map((fraction) => encodeJobFraction({ stage, fraction })));
    expect(fractions.every((value) => value !== null)).toBe(true);
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i += 1) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    // Within a long stage the overall value moves.
    expect(encodeJobFraction({ stage: 'weights', fraction: 0.5 })!).toBeGreaterThan(encodeJobFraction({ stage: 'weights', fraction: 0 })!);
  });

  it('keeps reported fractions inside their stage', () => {
    expect(encodeJobFraction({ stage: 'select', fraction: 7 })).toBe(encodeJobFraction({ stage: 'select', fraction: 1 }));
    expect(encodeJobFraction({ stage: 'select', fraction: -1 })).toBe(encodeJobFraction({ stage: 'select', fraction: 0 }));
  });

  it('takes a plain number as the overall fraction', () => {
    expect(encodeJobFraction(0.25)).toBe(0.25);
    expect(encodeJobFraction(3)).toBe(1);
  });

  it('says nothing rather than guess at what it does not understand', () => {
    for (const progress of [null, undefined, 'half', {}, { stage: 'teleport', fraction: 0.5 }, { stage: 'select' }, { stage: 'select', fraction: Number.NaN }, Number.NaN]) {
      expect(encodeJobFraction(progress)).toBeNull();
    }
  });
});
