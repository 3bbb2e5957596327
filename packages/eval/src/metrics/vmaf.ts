import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EvalError } from '../errors.ts';
import { runTool } from '../media/process.ts';
import { inputArgs, type RawVideo } from '../media/raw.ts';

export interface VmafSettings {
  /** libvmaf model file (e.g. vmaf_v0.6.1.pkl); from `VMAF_MODEL_PATH` or `--vmaf-model`. */
  readonly modelPath: string;
  /** An ffmpeg built with libvmaf; default the static ffmpeg 4.1 of `@ffmpeg-installer/linux-x64`. */
  readonly ffmpegPath: string;
  /** Score every n-th frame. */
  readonly subsample: number;
}

export type VmafAvailability = { readonly available: true; readonly settings: VmafSettings } | { readonly available: false; readonly reason: string };

function bundledFfmpeg(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('@ffmpeg-installer/linux-x64/package.json')), 'ffmpeg');
  } catch {
    return undefined;
  }
}

/** Decides whether VMAF can be measured; a missing model or binary is a reason to skip, never an error. */
export function resolveVmaf(options: { modelPath?: string | undefined; ffmpegPath?: string | undefined; subsample?: number | undefined }): VmafAvailability {
  const modelPath = options.modelPath;
  if (!modelPath) return { available: false, reason: 'no VMAF model configured (set VMAF_MODEL_PATH or pass --vmaf-model)' };
  if (!existsSync(modelPath)) return { available: false, reason: `VMAF model ${modelPath} does not exist` };
  if (/[:'\\,;[\]]/.test(modelPath)) return { available: false, reason: `VMAF model path ${modelPath} contains characters ffmpeg's filter syntax reserves` };
  const binary = options.ffmpegPath ?? bundledFfmpeg();
  if (!binary || !existsSync(binary)) return { available: false, reason: 'no libvmaf-capable ffmpeg found (@ffmpeg-installer/linux-x64 or VMAF_FFMPEG_PATH)' };
  const subsample = options.subsample ?? 1;
  if (!Number.isInteger(subsample) || subsample < 1) throw new EvalError('INVALID_OPTIONS', 'VMAF subsample must be an integer ≥ 1');
  return { available: true, settings: { modelPath, ffmpegPath: binary, subsample } };
}

interface VmafLog {
  readonly frames?: readonly { readonly metrics?: { readonly vmaf?: number } }[];
}

/** Mean per-frame VMAF (0–100) of `distorted` against `reference` (same size and frame count). */
export async function measureVmaf(distorted: RawVideo | string, reference: RawVideo | string, settings: VmafSettings, signal?: AbortSignal): Promise<number> {
  const folder = await mkdtemp(join(tmpdir(), 'cmvc-vmaf-'));
  try {
    const log = join(folder, 'vmaf.json');
    const filter = `[0:v][1:v]libvmaf=model_path=${settings.modelPath}:log_fmt=json:log_path=${log}:n_subsample=${settings.subsample}`;
    await runTool(settings.ffmpegPath, ['-hide_banner', '-nostdin', ...inputArgs(distorted), ...inputArgs(reference), '-lavfi', filter, '-f', 'null', '-'], signal ? { signal } : {});
    const parsed = JSON.parse(await readFile(log, 'utf8')) as VmafLog;
    const scores = (parsed.frames ?? []).map((frame) => frame.metrics?.vmaf).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (scores.length === 0) throw new EvalError('METRIC_FAILED', 'libvmaf logged no frame scores');
    return scores.reduce((a, b) => a + b, 0) / scores.length;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Subsampling for a clip of `frameCount` frames: every `subsample`-th frame, coarser for long clips
 * so that at most about `maxFrames` frames are scored (VMAF dominates the measuring time otherwise).
 */
export function vmafSubsampleFor(frameCount: number, subsample: number, maxFrames?: number): number {
  if (maxFrames === undefined || !(maxFrames > 0)) return subsample;
  return Math.max(subsample, Math.ceil(frameCount / maxFrames));
}
