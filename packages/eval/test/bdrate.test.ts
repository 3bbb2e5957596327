import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EvalError, Pchip, bdRate, paretoFrontier, type BdRateResult, type RdPoint } from '../src/index.ts';

const curve = (rates: readonly number[], qualities: readonly number[]): RdPoint[] => rates.map((rate, i) => ({ rate, quality: qualities[i]! }));

/** `result` is a BD-rate of `percent` (to 9 places) integrated over `qualityRange`. */
function expectBdRate(result: BdRateResult, percent: number, qualityRange: readonly [number, number]): void {
  expect(result.status).toBe('ok');
  if (result.status === 'ok') {
    expect(result.percent).toBeCloseTo(percent, 9);
    expect(result.qualityRange).toEqual(qualityRange);
  }
}

describe('bdRate', () => {
  const anchor = curve([0.01, 0.02, 0.05, 0.1], [30, 33, 36.5, 39]);

  it('gives −20 % for a curve that needs exactly 0.8× the rate at every quality', () => {
    const test = anchor.map((p) => ({ rate: p.rate * 0.8, quality: p.quality }));
    expectBdRate(bdRate(anchor, test), -20, [30, 39]);
  });

  it('gives +25 % for 1.25× the rate, and is antisymmetric in log-rate', () => {
    const test = anchor.map((p) => ({ rate: p.rate * 1.25, quality: p.quality }));
    const forward = bdRate(anchor, test);
    const backward = bdRate(test, anchor);
    expect(forward.status === 'ok' && forward.percent).toBeCloseTo(25, 9);
    expect(backward.status === 'ok' && backward.percent).toBeCloseTo(-20, 9);
  });

  it('integrates only over the overlapping quality range, with different sample positions', () => {
    // log(rate) linear in quality: PCHIP reproduces a line exactly, so the shift is exact everywhere.
    const line = (q: number, factor: number): RdPoint => ({ rate: factor * Math.exp(0.2 * q - 9), quality: q });
    const a = [28, 31, 35, 40].map((q) => line(q, 1));
    const t = [33, 34.5, 38, 44].map((q) => line(q, 0.5));
    expectBdRate(bdRate(a, t), -50, [33, 40]);
  });

  it('reports curves whose quality ranges do not overlap instead of extrapolating', () => {
    const low = curve([0.0001, 0.0002, 0.0004], [10, 12, 14]);
    const result = bdRate(anchor, low);
    expect(result.status).toBe('no-overlap');
    if (result.status === 'no-overlap') {
      expect(result.anchorRange).toEqual([30, 39]);
      expect(result.testRange).toEqual([10, 14]);
      expect(result.reason).toMatch(/do not overlap/);
    }
  });

  it('needs two distinct points per curve', () => {
    expect(bdRate(anchor, curve([0.01], [30])).status).toBe('too-few-points');
    // Two points where one dominates the other leave a one-point frontier.
    expect(bdRate(anchor, curve([0.01, 0.02], [31, 30])).status).toBe('too-few-points');
  });
});

describe('paretoFrontier', () => {
  it('keeps, in rate order, only points better than every cheaper point', () => {
    const points = curve([0.5, 0.1, 0.2, 0.3, 0.05, 0.3], [35, 30, 29, 33, 25, Number.NaN]);
    expect(paretoFrontier(points).map((p) => p.rate)).toEqual([0.05, 0.1, 0.3, 0.5]);
  });

  it('drops non-positive rates and non-finite scores', () => {
    expect(paretoFrontier(curve([0, -1, 0.1, 0.2], [10, 11, Number.POSITIVE_INFINITY, 12]))).toEqual([{ rate: 0.2, quality: 12 }]);
  });
});

describe('Pchip', () => {
  it('passes through its knots and is exact on straight lines', () => {
    const p = new Pchip([0, 1, 3, 4], [2, 4, 8, 10]);
    for (const [x, y] of [[0, 2], [1, 4], [3, 8], [4, 10], [2, 6], [3.5, 9]] as const) expect(p.evaluate(x)).toBeCloseTo(y, 12);
    expect(p.integrate(0, 4)).toBeCloseTo(24, 12);
    expect(p.integrate(0.5, 2.5)).toBeCloseTo(10, 12); // ∫ 2 + 2x dx = [2x + x²] from 0.5 to 2.5
  });

  it('stays monotone between monotone data (no overshoot)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0.01, max: 5, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true })), { minLength: 2, maxLength: 8 }), (steps) => {
        const x: number[] = [];
        const y: number[] = [];
        steps.reduce(
          ([px, py], [dx, dy]) => {
            x.push(px + dx);
            y.push(py + dy);
            return [px + dx, py + dy];
          },
          [0, 0],
        );
        const p = new Pchip(x, y);
        let previous = -Infinity;
        for (let k = 0; k <= 200; k += 1) {
          const at = x[0]! + ((x[x.length - 1]! - x[0]!) * k) / 200;
          const value = p.evaluate(at);
          expect(value).toBeGreaterThanOrEqual(previous - 1e-9);
          expect(value).toBeLessThanOrEqual(y[y.length - 1]! + 1e-9);
          previous = value;
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects unsorted or too few knots with a typed error', () => {
    expect(() => new Pchip([0], [1])).toThrow(EvalError);
    expect(() => new Pchip([0, 0], [1, 2])).toThrow(/strictly increasing/);
    expect(() => new Pchip([0, 1], [1, Number.NaN])).toThrow(/finite/);
  });
});
