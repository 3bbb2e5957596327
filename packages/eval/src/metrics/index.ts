import { EvalError } from '../errors.ts';
import { untimed, type TimeStage } from '../timing.ts';
import { sampleIndices } from '../media/prepare.ts';
import { readLuma, type RawVideo } from '../media/raw.ts';
import { MS_SSIM_MIN_SIDE, msSsim } from './msssim.ts';
import { measurePsnrSsim } from './psnr-ssim.ts';
import { measureVmaf, type VmafSettings } from './vmaf.ts';

export { MS_SSIM_MIN_SIDE, MS_SSIM_WEIGHTS, msSsim } from './msssim.ts';
export { measurePsnrSsim, parsePsnrSsim, type PsnrSsimScores } from './psnr-ssim.ts';
export { measureVmaf, resolveVmaf, type VmafAvailability, type VmafSettings } from './vmaf.ts';
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
  /** Frames (spread evenly) over which MS-SSIM is averaged. */
  readonly msssimFrames: number;
  readonly vmaf?: VmafSettings;
  readonly signal?: AbortSignal;
  /** Told when a metric fails and is recorded as missing instead of failing the whole evaluation. */
  readonly onWarning?: (message: string) => void;
  readonly time?: TimeStage;
}

/** Mean MS-SSIM over `count` evenly spread frames of two videos of the same size and length. */
export async function measureMsSsim(distorted: RawVideo, reference: RawVideo, count: number, signal?: AbortSignal): Promise<number> {
  const { info } = reference;
  if (distorted.info.width !== info.width || distorted.info.height !== info.height) throw new EvalError('SIZE_MISMATCH', 'MS-SSIM inputs differ in size');
  const indices = sampleIndices(Math.min(info.frameCount, distorted.info.frameCount), count);
  const [ref, dist] = await Promise.all([readLuma(reference, indices), readLuma(distorted, indices)]);
  let sum = 0;
  for (const [i, plane] of ref.entries()) {
    signal?.throwIfAborted();
    sum += msSsim(plane, dist[i]!, info.width, info.height);
  }
  return sum / ref.length;
}

/**
 * All pixel metrics of `distorted` against `reference`; both must already have the reference's size
 * and frame count (see `restoreToReference`).
 */
export async function measureQuality(distorted: RawVideo, reference: RawVideo, options: QualityOptions): Promise<QualityScores> {
  const { info } = reference;
  const { signal } = options;
  const time = options.time ?? untimed;
  const fidelity = await time('psnr+ssim', () => measurePsnrSsim(distorted, reference, signal));
  const msssimPossible = info.width >= MS_SSIM_MIN_SIDE && info.height >= MS_SSIM_MIN_SIDE;
  const msssim = msssimPossible ? await time('ms-ssim', () => measureMsSsim(distorted, reference, options.msssimFrames, signal)) : null;
  let vmaf: number | null = null;
  if (options.vmaf) {
    try {
      const settings = options.vmaf;
      vmaf = await time('vmaf', () => measureVmaf(distorted, reference, settings, signal));
    } catch (error) {
      if (!(error instanceof EvalError) || error.code === 'ABORTED') throw error;
      options.onWarning?.(`VMAF failed for ${distorted.path}: ${error.message}`);
    }
  }
  return { psnrY: fidelity.psnrY, psnrYuv: fidelity.psnrYuv, ssim: fidelity.ssim, msssim, vmaf };
}
