import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { QUALITY_PRESETS_ORDER, type QualityPreset } from '@cmvc/codec';
import { BASELINE_ENCODERS, type BaselineEncoderId } from './baselines/encoders.ts';
import { EvalError } from './errors.ts';
import { resolveVmaf } from './metrics/vmaf.ts';
import { writeReport } from './report/write.ts';
import { runEvaluation, type EvalOptions } from './runner.ts';
import { METHOD_ORDER, type MethodId } from './types.ts';

/** Same shape as `@cmvc/codec`'s CLI commands, so `cmvc eval` can register it. */
export interface EvalCliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly signal: AbortSignal;
}

export interface EvalCliCommand {
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: EvalCliIo): Promise<number>;
}

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Defaults sized so that a full run over /work/shared/media (12 clips) stays under 20 minutes on two
 * busy cores: 1 s per clip, 8 baseline points per encoder, 9 CMVC points plus the 3 middle-quality
 * ones again with the motion side channel, MS-SSIM on 3 frames, VMAF on every 5th frame, captions
 * and detections on the middle frame.
 */
export const DEFAULTS = {
  mediaDir: resolve(REPO_ROOT, '../shared/media'),
  markdownPath: resolve(REPO_ROOT, 'docs/RESULTS.md'),
  resultsDir: resolve(REPO_ROOT, 'docs/results'),
  seconds: 1,
  encoders: ['x264', 'x265', 'svt-av1'] as readonly BaselineEncoderId[],
  keyframeCounts: [2, 3, 5],
  qualities: ['low', 'middle', 'high'] as readonly QualityPreset[],
  motionQualities: ['middle'] as readonly QualityPreset[],
  anchor: 'x265' as MethodId,
  vmafSubsample: 5,
  msssimFrames: 3,
  semanticFrames: 1,
} as const;

const USAGE =
  'cmvc eval [DIR] [--seconds S] [--max-clips N] [--clips A.mkv,B.gif] [--encoders x264,x265,svt-av1] [--keyframes 2,3,5] [--qualities low,middle,high] [--motion-qualities middle|none] [--anchor x265] [--vmaf-model PATH] [--vmaf-subsample N] [--msssim-frames N] [--semantic-frames N] [--no-tt2v] [--report docs/RESULTS.md] [--results docs/results]';

function list<T extends string>(value: string | undefined, allowed: readonly T[], name: string, fallback: readonly T[]): T[] {
  if (value === undefined) return [...fallback];
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (items.length === 0 || bad.length > 0) throw new EvalError('INVALID_OPTIONS', `--${name} takes a comma-separated list of ${allowed.join(', ')}`);
  return items as T[];
}

function positive(value: string | undefined, name: string, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!(parsed > 0) || (integer && !Number.isInteger(parsed))) throw new EvalError('INVALID_OPTIONS', `--${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return parsed;
}

export function parseEvalArgs(argv: readonly string[]): { options: Omit<EvalOptions, 'signal' | 'log'>; markdownPath: string; resultsDir: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        seconds: { type: 'string' },
        'max-clips': { type: 'string' },
        clips: { type: 'string' },
        encoders: { type: 'string' },
        keyframes: { type: 'string' },
        qualities: { type: 'string' },
        'motion-qualities': { type: 'string' },
        anchor: { type: 'string' },
        'vmaf-model': { type: 'string' },
        'vmaf-subsample': { type: 'string' },
        'msssim-frames': { type: 'string' },
        'semantic-frames': { type: 'string' },
        'no-tt2v': { type: 'boolean' },
        report: { type: 'string' },
        results: { type: 'string' },
      },
    });
  } catch (error) {
    throw new EvalError('INVALID_OPTIONS', `${(error as Error).message}\nusage: ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new EvalError('INVALID_OPTIONS', `expected at most one folder\nusage: ${USAGE}`);
  const keyframeCounts = values.keyframes === undefined ? [...DEFAULTS.keyframeCounts] : values.keyframes.split(',').map((n) => positive(n, 'keyframes', 0));
  if (keyframeCounts.some((n) => n < 2)) throw new EvalError('INVALID_OPTIONS', '--keyframes counts must be ≥ 2');
  const anchor = list(values.anchor, METHOD_ORDER, 'anchor', [DEFAULTS.anchor])[0]!;
  const encoders = list(values.encoders, Object.keys(BASELINE_ENCODERS) as BaselineEncoderId[], 'encoders', DEFAULTS.encoders);
  const qualities = list(values.qualities, QUALITY_PRESETS_ORDER, 'qualities', DEFAULTS.qualities);
  // The side-channel points are compared with the same settings without it, so they follow --qualities.
  const motionQualities =
    values['motion-qualities'] === 'none'
      ? []
      : list(values['motion-qualities'], QUALITY_PRESETS_ORDER, 'motion-qualities', DEFAULTS.motionQualities.filter((q) => qualities.includes(q)));
  const unmatched = motionQualities.filter((q) => !qualities.includes(q));
  if (unmatched.length > 0) throw new EvalError('INVALID_OPTIONS', `--motion-qualities ${unmatched.join(',')} must also be in --qualities`);
  if (anchor in BASELINE_ENCODERS && !encoders.includes(anchor as BaselineEncoderId)) throw new EvalError('INVALID_OPTIONS', `--anchor ${anchor} is not among --encoders`);
  return {
    options: {
      mediaDir: resolve(positionals[0] ?? DEFAULTS.mediaDir),
      seconds: positive(values.seconds, 'seconds', DEFAULTS.seconds, false),
      ...(values['max-clips'] !== undefined ? { maxClips: positive(values['max-clips'], 'max-clips', 0) } : {}),
      ...(values.clips !== undefined ? { only: values.clips.split(',').map((name) => name.trim()).filter(Boolean) } : {}),
      encoders,
      keyframeCounts,
      qualities,
      motionQualities,
      anchor,
      vmaf: resolveVmaf({ modelPath: values['vmaf-model'], subsample: positive(values['vmaf-subsample'], 'vmaf-subsample', DEFAULTS.vmafSubsample) }),
      msssimFrames: positive(values['msssim-frames'], 'msssim-frames', DEFAULTS.msssimFrames),
      semanticFrames: positive(values['semantic-frames'], 'semantic-frames', DEFAULTS.semanticFrames),
      tt2v: !values['no-tt2v'],
    },
    markdownPath: resolve(values.report ?? DEFAULTS.markdownPath),
    resultsDir: resolve(values.results ?? DEFAULTS.resultsDir),
  };
}

export const evalCommand: EvalCliCommand = {
  summary: 'rate–distortion evaluation of CMVC against x264, x265 and SVT-AV1',
  usage: USAGE,
  async run(argv, io) {
    const { options, markdownPath, resultsDir } = parseEvalArgs(argv);
    if (!options.vmaf.available) io.stderr.write(`note: VMAF skipped: ${options.vmaf.reason}\n`);
    const report = await runEvaluation({ ...options, signal: io.signal, log: (line) => io.stderr.write(`${line}\n`) });
    const command = ['npm run eval', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
    const written = await writeReport(report, { markdownPath, resultsDir, command });
    io.stdout.write(`evaluated ${report.clips.length} clips in ${report.elapsedSeconds.toFixed(0)} s; wrote ${written.length} files:\n${written.map((f) => `  ${f}`).join('\n')}\n`);
    return 0;
  },
};
