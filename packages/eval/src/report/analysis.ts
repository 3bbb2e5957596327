import { bdRate, paretoFrontier, type RdPoint } from '../bdrate/bdrate.ts';
import {
  METHOD_ORDER,
  METRIC_ORDER,
  type AggregateBd,
  type AggregateBdTable,
  type BdByAnchor,
  type BdTable,
  type ClipReport,
  type Measurement,
  type MethodId,
  type MetricId,
  type PointComparison,
  type RateRange,
  type SideChannelBd,
  type SideChannelSummary,
} from '../types.ts';

/** The score of `metric` at a point, or undefined when it was not measured. */
export function metricValue(measurement: Measurement, metric: MetricId): number | undefined {
  const value =
    metric === 'featureScore'
      ? measurement.featureDistance === null || measurement.featureDistance === undefined
        ? undefined
        : 1 - measurement.featureDistance
      : metric === 'captionSimilarity' || metric === 'detectionJaccard'
        ? measurement.semantic?.[metric]
        : measurement.quality[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A method's (bpp, score) points for one metric. */
export function rdPoints(measurements: readonly Measurement[], method: MethodId, metric: MetricId): (RdPoint & { label: string })[] {
  return measurements.flatMap((m) => {
    const quality = m.method === method ? metricValue(m, metric) : undefined;
    return quality === undefined ? [] : [{ rate: m.bpp, quality, label: m.label }];
  });
}

export const methodsIn = (measurements: readonly Measurement[]): MethodId[] => METHOD_ORDER.filter((method) => measurements.some((m) => m.method === method));

/** BD-rate of every other method against `anchor`, for every metric. */
export function bdTable(measurements: readonly Measurement[], anchor: MethodId): BdTable {
  const table: BdTable = {};
  for (const metric of METRIC_ORDER) {
    const anchorPoints = rdPoints(measurements, anchor, metric);
    if (anchorPoints.length === 0) continue;
    const row: NonNullable<BdTable[MetricId]> = {};
    for (const method of methodsIn(measurements)) {
      if (method === anchor) continue;
      const points = rdPoints(measurements, method, metric);
      if (points.length > 0) row[method] = bdRate(anchorPoints, points);
    }
    table[metric] = row;
  }
  return table;
}

/** BD-rates of every method against each of `anchors` (anchors without points are left out). */
export function bdTables(measurements: readonly Measurement[], anchors: readonly MethodId[]): BdByAnchor {
  const tables: BdByAnchor = {};
  for (const anchor of anchors) {
    const table = bdTable(measurements, anchor);
    if (Object.keys(table).length > 0) tables[anchor] = table;
  }
  return tables;
}

/** Mean of the per-clip BD-rates against each anchor, with how many clips had none and why. */
export function aggregateBd(clips: readonly ClipReport[], anchors: readonly MethodId[]): Partial<Record<MethodId, AggregateBdTable>> {
  const result: Partial<Record<MethodId, AggregateBdTable>> = {};
  for (const anchor of anchors) {
    const tables = clips.flatMap((clip) => (clip.bdRates[anchor] ? [clip.bdRates[anchor]] : []));
    if (tables.length > 0) result[anchor] = aggregateTables(tables);
  }
  return result;
}

function aggregateTables(tables: readonly BdTable[]): AggregateBdTable {
  const result: Partial<Record<MetricId, Partial<Record<MethodId, AggregateBd>>>> = {};
  for (const metric of METRIC_ORDER) {
    const row: Partial<Record<MethodId, AggregateBd>> = {};
    for (const method of METHOD_ORDER) {
      const results = tables.map((table) => table[metric]?.[method]).filter((r) => r !== undefined);
      if (results.length === 0) continue;
      const values = results.flatMap((r) => (r.status === 'ok' ? [r.percent] : []));
      row[method] = {
        meanPercent: values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null,
        clipsWithValue: values.length,
        clipsWithoutOverlap: results.filter((r) => r.status === 'no-overlap').length,
        clipsTooFewPoints: results.filter((r) => r.status === 'too-few-points').length,
      };
    }
    if (Object.keys(row).length > 0) result[metric] = row;
  }
  return result;
}

/**
 * CMVC IT2V with the motion side channel against without: the settings measured both ways
 * (averaged over clips), and BD-rates of the side-channel curve against plain IT2V, at the same
 * settings and against all of plain IT2V's settings.
 */
export function sideChannelSummary(clips: readonly ClipReport[], averaged: readonly Measurement[]): SideChannelSummary | null {
  if (!clips.some((clip) => clip.measurements.some((m) => m.method === 'cmvc-it2v-motion'))) return null;
  const points = averaged.flatMap((m) => {
    if (m.method !== 'cmvc-it2v-motion') return [];
    const without = averaged.find((other) => other.method === 'cmvc-it2v' && other.label === m.label);
    return without ? [{ label: m.label, without, with: m }] : [];
  });
  /** Plain IT2V restricted to the labels also measured with the side channel, plus the side-channel points. */
  const sameSettings = (measurements: readonly Measurement[]): Measurement[] => {
    const labels = new Set(measurements.filter((m) => m.method === 'cmvc-it2v-motion').map((m) => m.label));
    return measurements.filter((m) => m.method === 'cmvc-it2v-motion' || (m.method === 'cmvc-it2v' && labels.has(m.label)));
  };
  const compare = (select: (measurements: readonly Measurement[]) => readonly Measurement[]): Partial<Record<MetricId, SideChannelBd>> => {
    const perClip = aggregateTables(clips.map((clip) => bdTable(select(clip.measurements), 'cmvc-it2v')));
    const onAverage = bdTable(select(averaged), 'cmvc-it2v');
    const result: Partial<Record<MetricId, SideChannelBd>> = {};
    for (const metric of METRIC_ORDER) {
      const entry = perClip[metric]?.['cmvc-it2v-motion'];
      if (entry) result[metric] = { perClip: entry, averaged: onAverage[metric]?.['cmvc-it2v-motion'] };
    }
    return result;
  };
  return { points, bdSameSettings: compare(sameSettings), bdAllSettings: compare((measurements) => measurements) };
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

function meanOrNull(values: readonly (number | null | undefined)[]): number | null {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return finite.length === values.length && finite.length > 0 ? mean(finite) : null;
}

/**
 * The operating points every clip has, averaged label by label (rates and scores), as one
 * "average clip" for plots and BD-rates over the whole set.
 */
export function averageMeasurements(clips: readonly ClipReport[]): Measurement[] {
  if (clips.length === 0) return [];
  const first = clips[0]!;
  const averaged: Measurement[] = [];
  for (const template of first.measurements) {
    const same = clips.map((clip) => clip.measurements.find((m) => m.method === template.method && m.label === template.label));
    if (same.some((m) => m === undefined)) continue;
    const all = same as Measurement[];
    const psnrY = meanOrNull(all.map((m) => m.quality.psnrY));
    const psnrYuv = meanOrNull(all.map((m) => m.quality.psnrYuv));
    const ssim = meanOrNull(all.map((m) => m.quality.ssim));
    const semantic = all.every((m) => m.semantic)
      ? {
          captionSimilarity: mean(all.map((m) => m.semantic!.captionSimilarity)),
          detectionJaccard: meanOrNull(all.map((m) => m.semantic!.detectionJaccard)),
        }
      : null;
    averaged.push({
      method: template.method,
      label: template.label,
      bytes: mean(all.map((m) => m.bytes)),
      bpp: mean(all.map((m) => m.bpp)),
      kbps: mean(all.map((m) => m.kbps)),
      featureDistance: meanOrNull(all.map((m) => m.featureDistance)),
      quality: {
        psnrY: psnrY ?? Number.NaN,
        psnrYuv: psnrYuv ?? Number.NaN,
        ssim: ssim ?? Number.NaN,
        msssim: meanOrNull(all.map((m) => m.quality.msssim)),
        vmaf: meanOrNull(all.map((m) => m.quality.vmaf)),
      },
      semantic,
    });
  }
  return averaged;
}

/** Lowest and highest rate each method reached over all clips. */
export function rateRanges(clips: readonly ClipReport[]): Partial<Record<MethodId, RateRange>> {
  const ranges: Partial<Record<MethodId, RateRange>> = {};
  for (const method of METHOD_ORDER) {
    const points = clips.flatMap((clip) => clip.measurements.filter((m) => m.method === method));
    if (points.length === 0) continue;
    ranges[method] = {
      minBpp: Math.min(...points.map((m) => m.bpp)),
      maxBpp: Math.max(...points.map((m) => m.bpp)),
      minKbps: Math.min(...points.map((m) => m.kbps)),
      maxKbps: Math.max(...points.map((m) => m.kbps)),
    };
  }
  return ranges;
}

/**
 * The score `method`'s Pareto frontier (for `metric`) reaches at `kbps`, interpolated linearly in
 * log-rate between the neighbouring frontier points; undefined outside the frontier's rate range.
 */
export function frontierAtRate(measurements: readonly Measurement[], method: MethodId, metric: MetricId, kbps: number): number | undefined {
  const points = measurements.flatMap((m) => {
    const quality = m.method === method ? metricValue(m, metric) : undefined;
    return quality === undefined ? [] : [{ rate: m.kbps, quality }];
  });
  const front = paretoFrontier(points);
  if (front.length === 0 || !(kbps > 0)) return undefined;
  const first = front[0]!;
  const last = front[front.length - 1]!;
  if (kbps < first.rate * (1 - 1e-9) || kbps > last.rate * (1 + 1e-9)) return undefined;
  if (front.length === 1) return first.quality;
  const upper = front.findIndex((p) => p.rate >= kbps);
  if (upper === -1) return last.quality;
  if (upper === 0) return first.quality;
  const a = front[upper - 1]!;
  const b = front[upper]!;
  const t = (Math.log(kbps) - Math.log(a.rate)) / (Math.log(b.rate) - Math.log(a.rate));
  return a.quality + t * (b.quality - a.quality);
}

/** One CMVC IT2V point (by label) per clip, next to each anchor's VMAF at the same rate. */
export function compareAtSameRate(clips: readonly ClipReport[], label: string, anchors: readonly MethodId[], method: MethodId = 'cmvc-it2v'): PointComparison[] {
  return clips.flatMap((clip) => {
    const point = clip.measurements.find((m) => m.method === method && m.label === label);
    if (!point) return [];
    const vmaf = metricValue(point, 'vmaf') ?? null;
    const anchorFloorKbps: Partial<Record<MethodId, number>> = {};
    for (const anchor of anchors) {
      const rates = clip.measurements.filter((m) => m.method === anchor).map((m) => m.kbps);
      if (rates.length > 0) anchorFloorKbps[anchor] = Math.min(...rates);
    }
    return [
      {
        clip: clip.name,
        label,
        kbps: point.kbps,
        bpp: point.bpp,
        vmaf,
        featureDistance: point.featureDistance ?? null,
        sameRate: anchors.map((anchor) => {
          const reference = frontierAtRate(clip.measurements, anchor, 'vmaf', point.kbps) ?? null;
          return { anchor, vmaf: reference, difference: reference !== null && vmaf !== null ? vmaf - reference : null };
        }),
        anchorFloorKbps,
      },
    ];
  });
}
