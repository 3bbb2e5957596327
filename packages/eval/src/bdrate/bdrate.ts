import { EvalError } from '../errors.ts';
import { Pchip } from './pchip.ts';

/** One operating point: a rate (any positive unit, e.g. bpp) and a quality score (higher is better). */
export interface RdPoint {
  readonly rate: number;
  readonly quality: number;
}

export type BdRateResult =
  | { readonly status: 'ok'; readonly percent: number; readonly qualityRange: readonly [number, number] }
  | { readonly status: 'no-overlap'; readonly reason: string; readonly anchorRange: readonly [number, number]; readonly testRange: readonly [number, number] }
  | { readonly status: 'too-few-points'; readonly reason: string };

/**
 * The points no other point beats: sorted by rate, each of higher quality than every cheaper one.
 * Non-finite or non-positive values are dropped. This is the curve a user sweeping one encoder's
 * settings would actually get.
 */
export function paretoFrontier<T extends RdPoint>(points: readonly T[]): T[] {
  const usable = points.filter((p) => Number.isFinite(p.rate) && p.rate > 0 && Number.isFinite(p.quality));
  const sorted = [...usable].sort((a, b) => a.rate - b.rate || b.quality - a.quality);
  const frontier: T[] = [];
  for (const point of sorted) {
    const best = frontier[frontier.length - 1];
    if (!best || point.quality > best.quality) frontier.push(point);
  }
  return frontier;
}

function logRateCurve(points: readonly RdPoint[]): Pchip {
  return new Pchip(
    points.map((p) => p.quality),
    points.map((p) => Math.log(p.rate)),
  );
}

/**
 * Bjøntegaard delta rate of `test` against `anchor`: the mean difference of log-rate over the
 * quality range both curves cover, with PCHIP interpolation of log-rate as a function of quality,
 * as a percentage (−20 means the test needs 20 % fewer bits for the same quality).
 */
export function bdRate(anchor: readonly RdPoint[], test: readonly RdPoint[]): BdRateResult {
  const a = paretoFrontier(anchor);
  const t = paretoFrontier(test);
  if (a.length < 2 || t.length < 2) {
    return { status: 'too-few-points', reason: `needs two distinct operating points per curve (anchor ${a.length}, test ${t.length})` };
  }
  const anchorRange = [a[0]!.quality, a[a.length - 1]!.quality] as const;
  const testRange = [t[0]!.quality, t[t.length - 1]!.quality] as const;
  const low = Math.max(anchorRange[0], testRange[0]);
  const high = Math.min(anchorRange[1], testRange[1]);
  if (!(high > low)) {
    return {
      status: 'no-overlap',
      reason: `quality ranges do not overlap (anchor ${anchorRange[0].toFixed(3)}–${anchorRange[1].toFixed(3)}, test ${testRange[0].toFixed(3)}–${testRange[1].toFixed(3)})`,
      anchorRange,
      testRange,
    };
  }
  const meanDifference = (logRateCurve(t).integrate(low, high) - logRateCurve(a).integrate(low, high)) / (high - low);
  const percent = (Math.exp(meanDifference) - 1) * 100;
  if (!Number.isFinite(percent)) throw new EvalError('METRIC_FAILED', 'BD-rate is not finite');
  return { status: 'ok', percent, qualityRange: [low, high] };
}
