import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadToolConfig, type ToolConfig } from '@cmvc/config';
import { BASELINE_ENCODERS, type BaselineEncoderId } from './baselines/encoders.ts';
import { CMVC_POINT_NAMES, type CmvcPointName } from './cmvc/operating-points.ts';
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
 * Defaults sized so that a full run over /work/shared/media (12 whole clips, 1,890 frames) stays under
 * 60 minutes on two busy cores: whole clips; x264/x265 2 points each (context); SVT-AV1 and libaom-av1
 * each CRF {52, 63} × {full, ½, ¼} size × {full, ½, ¼} frame rate (18 points, their Pareto frontier is
 * the anchor curve); CMVC at the presets low, middle, high and the `floor` point (the motion side
 * channel is off by default: its extra encode and decode do not fit the budget; `--motion-points
 * middle` adds it); TT2V from the middle stream; MS-SSIM and the MobileNetV2 feature distance on 2
 * frames; VMAF on every 5th frame, coarser on long clips (at most about 60 scored frames per clip);
 * captions and detections on the middle frame, for the CMVC points only (`--semantic-baselines` adds
 * the baselines); three clips at a time, longest first, no clip starting after 40 min.
 */
export const DEFAULTS = {
  mediaDir: resolve(REPO_ROOT, '../shared/media'),
  markdownPath: resolve(REPO_ROOT, 'docs/RESULTS.md'),
  resultsDir: resolve(REPO_ROOT, 'docs/results'),
  encoders: ['x264', 'x265', 'svt-av1', 'libaom-av1'] as readonly BaselineEncoderId[],
  av1Crfs: [52, 63] as readonly number[],
  cmvcPoints: ['low', 'middle', 'high', 'floor'] as readonly CmvcPointName[],
  motionPoints: [] as readonly CmvcPointName[],
  anchors: ['svt-av1', 'libaom-av1'] as readonly MethodId[],
  vmafSubsample: 5,
  vmafMaxFrames: 60,
  msssimFrames: 2,
  semanticFrames: 1,
  jobs: 3,
  /** Minutes into the run after which no further clip starts (the run must end within about an hour). */
  startClipsWithinMinutes: 40,
} as const;

const USAGE =
  'cmvc eval [DIR] [--seconds S (cap; whole clips by default)] [--max-clips N] [--clips A.mkv,B.gif] [--encoders x264,x265,svt-av1,libaom-av1] [--av1-crfs 52,63] [--cmvc-points low,middle,high,floor] [--motion-points middle|none] [--anchors svt-av1,libaom-av1] [--vmaf-model PATH] [--vmaf-subsample N] [--vmaf-max-frames N] [--msssim-frames N] [--semantic-frames N] [--semantic-baselines] [--jobs N (clips at a time)] [--start-clips-within MIN|none] [--no-tt2v] [--report docs/RESULTS.md] [--results docs/results]';

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

/** `tools` defaults to the built-in settings (no environment), for tests. */
export function parseEvalArgs(argv: readonly string[], tools: ToolConfig = loadToolConfig({})): { options: Omit<EvalOptions, 'signal' | 'log'>; markdownPath: string; resultsDir: string } {
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
        'av1-crfs': { type: 'string' },
        'cmvc-points': { type: 'string' },
        'motion-points': { type: 'string' },
        anchors: { type: 'string' },
        'vmaf-model': { type: 'string' },
        'vmaf-subsample': { type: 'string' },
        'vmaf-max-frames': { type: 'string' },
        'msssim-frames': { type: 'string' },
        'semantic-frames': { type: 'string' },
        'no-tt2v': { type: 'boolean' },
        'semantic-baselines': { type: 'boolean' },
        jobs: { type: 'string' },
        'start-clips-within': { type: 'string' },
        report: { type: 'string' },
        results: { type: 'string' },
      },
    });
  } catch (error) {
    throw new EvalError('INVALID_OPTIONS', `${(error as Error).message}\nusage: ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new EvalError('INVALID_OPTIONS', `expected at most one folder\nusage: ${USAGE}`);
  const encoders = list(values.encoders, Object.keys(BASELINE_ENCODERS) as BaselineEncoderId[], 'encoders', DEFAULTS.encoders);
  const av1Crfs = values['av1-crfs'] === undefined ? [...DEFAULTS.av1Crfs] : values['av1-crfs'].split(',').map((n) => Number(n.trim()));
  if (av1Crfs.length === 0 || av1Crfs.some((n) => !Number.isInteger(n) || n < 0 || n > 63)) throw new EvalError('INVALID_OPTIONS', '--av1-crfs takes integers 0..63');
  const cmvcPoints = list(values['cmvc-points'], CMVC_POINT_NAMES, 'cmvc-points', DEFAULTS.cmvcPoints);
  // The side-channel points are compared with the same settings without it, so they follow --cmvc-points.
  const motionPoints =
    values['motion-points'] === 'none'
      ? []
      : list(values['motion-points'], CMVC_POINT_NAMES, 'motion-points', DEFAULTS.motionPoints.filter((p) => cmvcPoints.includes(p)));
  const unmatched = motionPoints.filter((p) => !cmvcPoints.includes(p));
  if (unmatched.length > 0) throw new EvalError('INVALID_OPTIONS', `--motion-points ${unmatched.join(',')} must also be in --cmvc-points`);
  const baselineIds = Object.keys(BASELINE_ENCODERS) as MethodId[];
  // Default anchors follow --encoders; explicit ones must be among them.
  const anchors =
    values.anchors === undefined
      ? DEFAULTS.anchors.filter((a) => encoders.includes(a as BaselineEncoderId))
      : list(values.anchors, baselineIds, 'anchors', DEFAULTS.anchors);
  const missing = anchors.filter((a) => !encoders.includes(a as BaselineEncoderId));
  if (missing.length > 0) throw new EvalError('INVALID_OPTIONS', `--anchors ${missing.join(',')} not among --encoders`);
  return {
    options: {
      mediaDir: resolve(positionals[0] ?? DEFAULTS.mediaDir),
      ...(values.seconds !== undefined ? { seconds: positive(values.seconds, 'seconds', 0, false) } : {}),
      ...(values['max-clips'] !== undefined ? { maxClips: positive(values['max-clips'], 'max-clips', 0) } : {}),
      ...(values.clips !== undefined ? { only: values.clips.split(',').map((name) => name.trim()).filter(Boolean) } : {}),
      encoders,
      av1Crfs,
      cmvcPoints,
      motionPoints,
      anchors,
      tools,
      vmaf: resolveVmaf({ modelPath: values['vmaf-model'] ?? tools.vmaf.modelPath, ffmpegPath: tools.vmaf.ffmpegPath, subsample: positive(values['vmaf-subsample'], 'vmaf-subsample', DEFAULTS.vmafSubsample) }),
      vmafMaxFrames: positive(values['vmaf-max-frames'], 'vmaf-max-frames', DEFAULTS.vmafMaxFrames),
      msssimFrames: positive(values['msssim-frames'], 'msssim-frames', DEFAULTS.msssimFrames),
      semanticFrames: positive(values['semantic-frames'], 'semantic-frames', DEFAULTS.semanticFrames),
      tt2v: !values['no-tt2v'],
      semanticBaselines: values['semantic-baselines'] ?? false,
      clipConcurrency: positive(values.jobs, 'jobs', DEFAULTS.jobs),
      ...(values['start-clips-within'] !== 'none' ? { startClipsWithinMinutes: positive(values['start-clips-within'], 'start-clips-within', DEFAULTS.startClipsWithinMinutes, false) } : {}),
    },
    markdownPath: resolve(values.report ?? DEFAULTS.markdownPath),
    resultsDir: resolve(values.results ?? DEFAULTS.resultsDir),
  };
}

export const evalCommand: EvalCliCommand = {
  summary: 'rate–distortion evaluation of CMVC against x264, x265, SVT-AV1 and libaom-av1',
  usage: USAGE,
  async run(argv, io) {
    const tools = loadToolConfig();
    const { options, markdownPath, resultsDir } = parseEvalArgs(argv, tools);
    if (!options.vmaf.available) io.stderr.write(`note: VMAF skipped: ${options.vmaf.reason}\n`);
    const report = await runEvaluation({ ...options, signal: io.signal, log: (line) => io.stderr.write(`${line}\n`) });
    const command = ['npm run eval', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
    const written = await writeReport(report, { markdownPath, resultsDir, command });
    io.stdout.write(`evaluated ${report.clips.length} clips in ${report.elapsedSeconds.toFixed(0)} s; wrote ${written.length} files:\n${written.map((f) => `  ${f}`).join('\n')}\n`);
    return 0;
  },
};
