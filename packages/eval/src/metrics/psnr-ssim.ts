import type { MediaTools } from '@cmvc/media-io';
import { EvalError } from '../errors.ts';
import { ffmpeg } from '../media/process.ts';
import { inputArgs, type RawVideo } from '../media/raw.ts';

export interface PsnrSsimScores {
  /** Luma PSNR in dB over all frames (from the mean squared error, not the mean of per-frame PSNRs); Infinity when identical. */
  readonly psnrY: number;
  /** PSNR of the mean squared error over Y, U and V samples together (4:2:0 weighting), in dB. */
  readonly psnrYuv: number;
  readonly ssimY: number;
  /** SSIM over Y, U and V (ffmpeg's "All"). */
  readonly ssim: number;
}

const number = (text: string): number => (text === 'inf' ? Number.POSITIVE_INFINITY : Number(text));

/** Parses the summaries the psnr and ssim filters log at the end of a run. */
export function parsePsnrSsim(log: string): PsnrSsimScores {
  const psnr = /PSNR y:([\d.]+|inf) u:(?:[\d.]+|inf) v:(?:[\d.]+|inf) average:([\d.]+|inf)/.exec(log);
  const ssim = /SSIM Y:([\d.]+) \([^)]*\) U:[\d.]+ \([^)]*\) V:[\d.]+ \([^)]*\) All:([\d.]+)/.exec(log);
  if (!psnr || !ssim) throw new EvalError('METRIC_FAILED', 'ffmpeg did not report PSNR and SSIM summaries');
  return { psnrY: number(psnr[1]!), psnrYuv: number(psnr[2]!), ssimY: Number(ssim[1]), ssim: Number(ssim[2]) };
}

/** PSNR and SSIM of `distorted` against `reference` with ffmpeg's filters; both must have the same size and frame count. */
export async function measurePsnrSsim(tools: MediaTools, distorted: RawVideo | string, reference: RawVideo | string, signal?: AbortSignal): Promise<PsnrSsimScores> {
  const graph = '[1:v]split[r1][r2];[0:v][r1]psnr[d];[d][r2]ssim';
  const { stderr } = await ffmpeg(tools, [...inputArgs(distorted), ...inputArgs(reference), '-lavfi', graph, '-f', 'null', '-'], signal ? { signal } : {});
  return parsePsnrSsim(stderr);
}
