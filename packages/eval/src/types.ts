import type { BaselineEncoderId } from './baselines/encoders.ts';
import type { BdRateResult } from './bdrate/bdrate.ts';
import type { QualityScores } from './metrics/index.ts';
import type { SemanticScores } from './metrics/semantic.ts';

export type CmvcMethodId = 'cmvc-it2v' | 'cmvc-it2v-motion' | 'cmvc-it2v-notext' | 'cmvc-tt2v';
export type MethodId = BaselineEncoderId | CmvcMethodId;
export const METHOD_ORDER: readonly MethodId[] = ['x264', 'x265', 'svt-av1', 'libaom-av1', 'cmvc-it2v', 'cmvc-it2v-motion', 'cmvc-it2v-notext', 'cmvc-tt2v'];
export const METHOD_LABELS: Readonly<Record<MethodId, string>> = {
  x264: 'x264 (H.264)',
  x265: 'x265 (HEVC)',
  'svt-av1': 'SVT-AV1',
  'libaom-av1': 'libaom-av1',
  'cmvc-it2v': 'CMVC IT2V',
  'cmvc-it2v-motion': 'CMVC IT2V + motion',
  'cmvc-it2v-notext': 'CMVC IT2V, no texts',
  'cmvc-tt2v': 'CMVC TT2V (retrieval)',
};

/**
 * Every score a point is compared on: pixel fidelity, deep-feature similarity and semantic
 * consistency. All are higher-is-better; the MobileNetV2 feature distance (lower is better) enters
 * as `featureScore` = 1 − distance.
 */
export type MetricId = keyof QualityScores | keyof SemanticScores | 'featureScore';
export const METRIC_ORDER: readonly MetricId[] = ['vmaf', 'msssim', 'featureScore', 'ssim', 'psnrY', 'psnrYuv', 'captionSimilarity', 'detectionJaccard'];
export const METRIC_NAMES: Readonly<Record<MetricId, string>> = {
  vmaf: 'VMAF',
  msssim: 'MS-SSIM (Y)',
  featureScore: '1 − MobileNetV2 feature distance',
  ssim: 'SSIM (YUV)',
  psnrY: 'PSNR-Y (dB)',
  psnrYuv: 'PSNR-YUV (dB)',
  captionSimilarity: 'Caption similarity (USE-lite cosine)',
  detectionJaccard: 'COCO class-set Jaccard',
};

/** One encoded and measured operating point. */
export interface Measurement {
  readonly method: MethodId;
  /** Setting within the method, e.g. "crf51 ½size" or "middle". */
  readonly label: string;
  readonly bytes: number;
  /** Bits per source pixel: bits / (width · height · frames). */
  readonly bpp: number;
  readonly kbps: number;
  readonly quality: QualityScores;
  /**
   * MobileNetV2 feature distance: mean cosine distance (1 − cosine similarity) between the feature
   * vectors of source and reconstruction on the MS-SSIM frames; lower is better; null when the
   * feature extractor is unavailable.
   */
  readonly featureDistance: number | null;
  readonly semantic: SemanticScores | null;
}

export type BdTable = Partial<Record<MetricId, Partial<Record<MethodId, BdRateResult>>>>;
/** One BD-rate table per anchor method. */
export type BdByAnchor = Partial<Record<MethodId, BdTable>>;
export type AggregateBdTable = Partial<Record<MetricId, Partial<Record<MethodId, AggregateBd>>>>;

export interface ClipReport {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameCount: number;
  readonly seconds: number;
  readonly sourceCaptions: readonly string[];
  readonly measurements: readonly Measurement[];
  /** BD-rates of every method against each anchor. */
  readonly bdRates: BdByAnchor;
  readonly notes: readonly string[];
  /** Wall-clock seconds spent on this clip. */
  readonly elapsedSeconds: number;
}

export interface AggregateBd {
  /** Mean of the per-clip BD-rates that exist, in percent. */
  readonly meanPercent: number | null;
  readonly clipsWithValue: number;
  readonly clipsWithoutOverlap: number;
  readonly clipsTooFewPoints: number;
}

export interface RateRange {
  readonly minBpp: number;
  readonly maxBpp: number;
  readonly minKbps: number;
  readonly maxKbps: number;
}

export interface EvalSettings {
  readonly mediaDir: string;
  /** Cap on the evaluated length per clip; null = whole clips. */
  readonly seconds: number | null;
  readonly clips: readonly string[];
  readonly anchors: readonly MethodId[];
  readonly encoders: readonly string[];
  /** CMVC operating points, e.g. "middle: quality preset middle". */
  readonly cmvcPoints: readonly string[];
  /** CMVC points also encoded with the motion side channel (method `cmvc-it2v-motion`). */
  readonly motionPoints: readonly string[];
  readonly vmaf: string;
  readonly msssimFrames: number;
  readonly semanticFrames: number;
  /** Whether the baselines' semantic scores were measured (else CMVC points only). */
  readonly semanticBaselines: boolean;
  readonly featureDistance: string;
  readonly tt2v: string;
}

/** The rate and VMAF a reference frontier reaches at a CMVC point's rate. */
export interface SameRateComparison {
  readonly anchor: MethodId;
  /** VMAF of the anchor frontier at the same kbps (interpolated in log-rate); null outside its range. */
  readonly vmaf: number | null;
  /** CMVC minus anchor; null when the anchor has no value there. */
  readonly difference: number | null;
}

/** One CMVC operating point of one clip next to the anchors at the same bytes. */
export interface PointComparison {
  readonly clip: string;
  readonly label: string;
  readonly kbps: number;
  readonly bpp: number;
  readonly vmaf: number | null;
  readonly featureDistance: number | null;
  readonly sameRate: readonly SameRateComparison[];
  /** Lowest kbps each anchor reached on this clip. */
  readonly anchorFloorKbps: Partial<Record<MethodId, number>>;
}

export interface EvalReport {
  readonly generatedAt: string;
  readonly settings: EvalSettings;
  readonly clips: readonly ClipReport[];
  /** Per-clip measurements averaged label by label (only labels every clip has). */
  readonly averaged: readonly Measurement[];
  /** BD-rates computed on the averaged points, per anchor. */
  readonly averagedBd: BdByAnchor;
  /** Mean of the per-clip BD-rates, per anchor. */
  readonly aggregateBd: Partial<Record<MethodId, AggregateBdTable>>;
  /** The default setting (`middle`) per clip against the anchors at the same bytes. */
  readonly defaultSetting: readonly PointComparison[];
  /** The `floor` point per clip. */
  readonly floorPoints: readonly PointComparison[];
  readonly rateRanges: Partial<Record<MethodId, RateRange>>;
  /** CMVC IT2V with against without the motion side channel; null when no point had it. */
  readonly sideChannel: SideChannelSummary | null;
  readonly notes: readonly string[];
  /** Wall-clock seconds per stage (encode, restore, each metric, ...), summed over the run. */
  readonly stageSeconds: Readonly<Record<string, number>>;
  readonly elapsedSeconds: number;
}

/** One setting encoded with and without the motion side channel, averaged over clips. */
export interface SideChannelPoint {
  readonly label: string;
  readonly without: Measurement;
  readonly with: Measurement;
}

/** A BD-rate as the mean over clips and on the averaged curves. */
export interface SideChannelBd {
  readonly perClip: AggregateBd;
  readonly averaged: BdRateResult | undefined;
}

export interface SideChannelSummary {
  readonly points: readonly SideChannelPoint[];
  /** BD-rate of `cmvc-it2v-motion` against `cmvc-it2v` at the same settings: what the side channel itself is worth. */
  readonly bdSameSettings: Partial<Record<MetricId, SideChannelBd>>;
  /** Against every `cmvc-it2v` setting (its Pareto frontier): against spending the bytes on keyframes instead. */
  readonly bdAllSettings: Partial<Record<MetricId, SideChannelBd>>;
}
