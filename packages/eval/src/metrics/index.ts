import type { MediaTools } from '@cmvc/media-io';
import { EvalError } from '../errors.ts';
import { untimed, type TimeStage } from '../timing.ts';
import { sampleIndices } from '../media/prepare.ts';
import { readLuma, type RawVideo } from '../media/raw.ts';
import { MS_SSIM_MIN_SIDE, msSsimAgainst, prepareMsSsimReference, type MsSsimReference } from './msssim.ts';
import { measurePsnrSsim } from './psnr-ssim.ts';
import { measureVmaf, type VmafSettings } from './vmaf.ts';

export { MS_SSIM_MIN_SIDE, MS_SSIM_WEIGHTS, msSsim, msSsimAgainst, prepareMsSsimReference, type MsSsimReference } from './msssim.ts';
export { measurePsnrSsim, parsePsnrSsim, type PsnrSsimScores } from './psnr-ssim.ts';
export { measureVmaf, resolveVmaf, vmafSubsampleFor, type VmafAvailability, type VmafSettings } from './vmaf.ts';
export { featureDistance, measureFeatureDistance } from './features.ts';
export { cosine, jaccard, semanticAgreement, semanticProfile, type SemanticAnalyzers, type SemanticProfile, type SemanticScores } from './semantic.ts';

/** Pixel-fidelity metrics of one reconstruction; `null` where a metric could not be measured. */
export interface QualityScores {
  readonly psnrY: number;
  readonly psnrYuv: number;
  readonly ssim: number;
  readonly msssim: number | null;
  readonly vmaf: number | null;
}

export type QualityMetric = keyof QualityScores;
export const QUALITY_METRICS: readonly QualityMetric[] = ['psnrY', 'psnrYuv', 'ssim', 'msssim', 'vmaf'];
export const METRIC_LABELS: Readonly<Record<QualityMetric, string>> = {
  psnrY: 'PSNR-Y (dB)',
  psnrYuv: 'PSNR-YUV (dB)',
  ssim: 'SSIM',
  msssim: 'MS-SSIM (Y)',
  vmaf: 'VMAF',
};

export interface QualityOptions {
  /** The ffmpeg that measures PSNR and SSIM. */
  readonly tools: MediaTools;
  /** Frames (spread evenly) over which MS-SSIM is averaged. */
  readonly msssimFrames: number;
  readonly vmaf?: VmafSettings;
  readonly signal?: AbortSignal;
  /** Told when a metric fails and is recorded as missing instead of failing the whole evaluation. */
  readonly onWarning?: (message: string) => void;
  readonly time?: TimeStage;
}

/** Prepared reference frames per reference video and frame selection: every point of a clip is measured against the same ones. */
const preparedReferences = new WeakMap<RawVideo, Map<string, Promise<MsSsimReference[]>>>();

function preparedReference(reference: RawVideo, indices: readonly number[]): Promise<MsSsimReference[]> {
  const { width, height } = reference.info;
  let byIndices = preparedReferences.get(reference);
  if (!byIndices) preparedReferences.set(reference, (byIndices = new Map()));
  const key = indices.join(',');
  let prepared = byIndices.get(key);
  if (!prepared) {
    prepared = readLuma(reference, indices).then((planes) => planes.map((plane) => prepareMsSsimReference(plane, width, height)));
    byIndices.set(key, prepared);
    prepared.catch(() => byIndices.delete(key));
  }
  return prepared;
}

/** Mean MS-SSIM over `count` evenly spread frames of two videos of the same size and length. */
export async function measureMsSsim(distorted: RawVideo, reference: RawVideo, count: number, signal?: AbortSignal): Promise<number> {
  const { info } = reference;
  if (distorted.info.width !== info.width || distorted.info.height !== info.height) throw new EvalError('SIZE_MISMATCH', 'MS-SSIM inputs differ in size');
  const indices = sampleIndices(Math.min(info.frameCount, distorted.info.frameCount), count);
  const [ref, dist] = await Promise.all([preparedReference(reference, indices), readLuma(distorted, indices)]);
  let sum = 0;
  for (const [i, prepared] of ref.entries()) {
    signal?.throwIfAborted();
    sum += msSsimAgainst(prepared, dist[i]!);
  }
  return sum / ref.length;
}

/**
 * All pixel metrics of `distorted` against `reference`; both must already have the reference's size
 * and frame count (see `restoreToReference`). The ffmpeg metrics run in their own processes while
 * MS-SSIM is computed here, so the two use different cores.
 */
export async function measureQuality(distorted: RawVideo, reference: RawVideo, options: QualityOptions): Promise<QualityScores> {
  const { info } = reference;
  const { signal } = options;
  const time = options.time ?? untimed;
  const msssimPossible = info.width >= MS_SSIM_MIN_SIDE && info.height >= MS_SSIM_MIN_SIDE;
  const [fidelity, vmaf, msssim] = await Promise.all([
    time('psnr+ssim', () => measurePsnrSsim(options.tools, distorted, reference, signal)),
    options.vmaf ? time('vmaf', () => measureVmafOrWarn(distorted, reference, options.vmaf!, options)) : null,
    msssimPossible ? time('ms-ssim', () => measureMsSsim(distorted, reference, options.msssimFrames, signal)) : null,
  ]);
  return { psnrY: fidelity.psnrY, psnrYuv: fidelity.psnrYuv, ssim: fidelity.ssim, msssim, vmaf };
}

/** VMAF, or null with a warning when libvmaf fails on this input (an abort still throws). */
async function measureVmafOrWarn(distorted: RawVideo, reference: RawVideo, settings: VmafSettings, options: QualityOptions): Promise<number | null> {
  try {
    return await measureVmaf(distorted, reference, settings, options.signal);
  } catch (error) {
    if (!(error instanceof EvalError) || error.code === 'ABORTED') throw error;
    options.onWarning?.(`VMAF failed for ${distorted.path}: ${error.message}`);
    return null;
  }
}
