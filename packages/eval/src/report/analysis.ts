import { bdRate, type RdPoint } from '../bdrate/bdrate.ts';
import {
  METHOD_ORDER,
  METRIC_ORDER,
  type AggregateBd,
  type BdTable,
  type ClipReport,
  type Measurement,
  type MethodId,
  type MetricId,
  type RateRange,
  type SideChannelBd,
  type SideChannelSummary,
} from '../types.ts';

/** The score of `metric` at a point, or undefined when it was not measured. */
export function metricValue(measurement: Measurement, metric: MetricId): number | undefined {
  const value =
    metric === 'captionSimilarity' || metric === 'detectionJaccard' ? measurement.semantic?.[metric] : measurement.quality[metric];
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

/** Mean of the per-clip BD-rates, with how many clips had none and why. */
export function aggregateBd(clips: readonly ClipReport[]): Partial<Record<MetricId, Partial<Record<MethodId, AggregateBd>>>> {
  return aggregateTables(clips.map((clip) => clip.bdRates));
}

function aggregateTables(tables: readonly BdTable[]): Partial<Record<MetricId, Partial<Record<MethodId, AggregateBd>>>> {
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
