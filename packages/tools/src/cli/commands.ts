import { readdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  BitstreamError,
  builtinAnalyzers,
  CodecError,
  decodeBitstream,
  encodeVideo,
  InMemoryExemplarLibrary,
  KEYFRAME_STRATEGIES,
  loadAnalyzers,
  MOTION_SIDE_CHANNEL_MODES,
  parseBitstream,
  QUALITY_PRESETS_ORDER,
  rateReport,
  RetrievalGenerator,
  technicalSemanticCodec,
  type AnalyzerSet,
  type CliCommand,
  type CliIo,
  type CmvcRepresentation,
  type KeyframeEntry,
  type KeyframeStrategy,
  type MotionSideChannelMode,
  type QualityPreset,
  type TextEmbedder,
  type TextForm,
} from '@cmvc/codec';
import { DEFAULT_ENCODE_SETTINGS, LAYER_TARGETS } from '@cmvc/codec/settings';
import { EXIT, UsageError } from './exit-codes.ts';
import { fixed, table } from '@cmvc/codec';
import { createProgressBar } from './progress.ts';
import type { MediaIo } from '@cmvc/media-io';

export type { CliIo };

/** What the `cmvc` commands get: the codec's CLI streams, and the media I/O its entry point built from the configuration. */
export interface ToolIo extends CliIo {
  readonly mediaIo: MediaIo;
}

export interface ToolCommand extends CliCommand {
  run(argv: readonly string[], io: ToolIo): Promise<number>;
}

type ParsedArgs = { values: Record<string, string | boolean | undefined>; positionals: string[] };

function parse(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>, usage: string): ParsedArgs {
  try {
    const parsed = parseArgs({ args: [...argv], options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new UsageError(`--${name} must be an integer ≥ ${min}`);
  return parsed;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

const single = (positionals: readonly string[], usage: string): string => {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`expected one input file\nusage: ${usage}`);
  return positionals[0];
};

const writeJson = (io: CliIo, value: unknown): void => {
  io.stdout.write(`${JSON.stringify(value, (_, v: unknown) => (v instanceof Uint8Array ? { bytes: v.length } : v), 2)}\n`);
};

/** `--analyzers builtin` skips @cmvc/models (faster, reproducible); `auto` (default) uses it when present. */
async function analyzersFor(choice: string | boolean | undefined): Promise<AnalyzerSet> {
  const mode = oneOf(choice as string | undefined, ['auto', 'builtin'] as const, 'analyzers') ?? 'auto';
  return mode === 'builtin' ? builtinAnalyzers() : loadAnalyzers({ provider: async () => (await import('@cmvc/models')).createAnalyzers() });
}

const encodeUsage =
  'cmvc encode IN -o OUT.cmvc [--keyframes N | --target-kbps K] [--strategy cs|mse|uniform|random] [--quality low|middle|high] [--seed S] [--working-height H] [--text-form text|semantic|both|auto] [--motion-side-channel off|coarse] [--interpolation-psnr DB] [--audio-kbps K] [--analyzers auto|builtin] [--json]';
export const encodeCommand: ToolCommand = {
  summary: 'encode a video into a .cmvc stream',
  usage: encodeUsage,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        output: { type: 'string', short: 'o' },
        keyframes: { type: 'string' },
        'target-kbps': { type: 'string' },
        strategy: { type: 'string' },
        quality: { type: 'string' },
        seed: { type: 'string' },
        'working-height': { type: 'string' },
        'text-form': { type: 'string' },
        'motion-side-channel': { type: 'string' },
        'interpolation-psnr': { type: 'string' },
        'audio-kbps': { type: 'string' },
        analyzers: { type: 'string' },
      },
      encodeUsage,
    );
    const input = single(positionals, encodeUsage);
    const output = values.output as string | undefined;
    if (!output) throw new UsageError(`-o OUT.cmvc is required\nusage: ${encodeUsage}`);
    if (values.keyframes !== undefined && values['target-kbps'] !== undefined) throw new UsageError('use either --keyframes or --target-kbps');
    const targetKbps = values['target-kbps'] === undefined ? undefined : Number(values['target-kbps']);
    if (targetKbps !== undefined && !(targetKbps > 0)) throw new UsageError('--target-kbps must be a positive number');
    const strategy = oneOf<KeyframeStrategy>(values.strategy as string | undefined, KEYFRAME_STRATEGIES, 'strategy');
    const quality = oneOf<QualityPreset>(values.quality as string | undefined, QUALITY_PRESETS_ORDER, 'quality');
    const textForm = oneOf<TextForm>(values['text-form'] as string | undefined, ['text', 'semantic', 'both', 'auto'], 'text-form');
    const motionSideChannel = oneOf<MotionSideChannelMode>(values['motion-side-channel'] as string | undefined, MOTION_SIDE_CHANNEL_MODES, 'motion-side-channel');
    const interpolationPsnr = values['interpolation-psnr'] === undefined ? undefined : Number(values['interpolation-psnr']);
    if (interpolationPsnr !== undefined && !(interpolationPsnr >= 0)) throw new UsageError('--interpolation-psnr must be a number of dB ≥ 0');
    const audioKbps = values['audio-kbps'] === undefined ? undefined : Number(values['audio-kbps']);
    if (audioKbps !== undefined && !(audioKbps === 0 || (audioKbps >= 6 && audioKbps <= 256))) throw new UsageError('--audio-kbps must be 0 (no sound) or 6..256');

    const analyzers = await analyzersFor(values.analyzers);
    if (strategy === 'cs' && !analyzers.featureExtractor)
      throw new CodecError('GENERATOR_UNAVAILABLE', '--strategy cs needs an image feature extractor from @cmvc/models, which is not available');
    const semanticCodec = analyzers.semanticCodecs.find((codec) => codec.id === analyzers.describer.id) ?? analyzers.semanticCodecs[0];
    const progress = createProgressBar(io.stderr);
    try {
      const result = await encodeVideo(io.mediaIo.videoFile(input), {
          layerCodec: io.mediaIo.av1LayerCodec,
          keyframes: integer(values.keyframes as string | undefined, 'keyframes', 2),
          targetKbps,
          strategy,
          quality,
          seed: integer(values.seed as string | undefined, 'seed', 0),
          workingHeight: integer(values['working-height'] as string | undefined, 'working-height', 2),
          ...(textForm ? { textForm } : {}),
          ...(motionSideChannel ? { motionSideChannel } : {}),
          // Lower targets interpolate more: a sparser keyframe layer.
          ...(interpolationPsnr !== undefined ? { layerTarget: { ...LAYER_TARGETS[quality ?? DEFAULT_ENCODE_SETTINGS.quality], interpolationPsnr } } : {}),
          ...(audioKbps !== undefined ? { audioKbps } : {}),
          signal: io.signal,
        },
        {
          describer: analyzers.describer,
          ...(analyzers.featureExtractor ? { featureExtractor: analyzers.featureExtractor } : {}),
          ...(semanticCodec ? { semanticCodec } : {}),
        },
        progress.listener,
      );
      progress.done();
      await writeFile(output, result.bitstream);
      const { rate, representation: rep } = result;
      if (values.json) {
        writeJson(io, {
          output,
          analyzers: analyzers.source,
          strategy: result.strategy,
          frameCount: rep.header.frameCount,
          keyframes: rep.keyframes.map((k) => ({ frameIndex: k.frameIndex, time: k.time, bytes: k.image.length, content: k.content })),
          clips: rep.clips.map((c) => ({ index: c.index, startFrame: c.startFrame, endFrame: c.endFrame, motion: c.motion, camera: c.camera })),
          layer: result.plan.segments.map(({ start, end, spacing, crf, interpolationPsnr: psnr, coded }) => ({ start, end, spacing, crf, interpolationPsnr: Number.isFinite(psnr) ? psnr : null, codedFrames: coded.length })),
          rate,
        });
      } else {
        io.stdout.write(
          `${output}: ${rate.totalBytes} bytes, ${rep.keyframes.length} keyframes (${result.strategy}, analyzers: ${analyzers.source}), ` +
            `${fixed(rate.kbps)} kbps, ${rate.bpp.toExponential(3)} bpp\n`,
        );
      }
      return EXIT.ok;
    } finally {
      await analyzers.dispose?.();
    }
  },
};

/**
 * Retrieval TT2V needs other archived videos: the keyframes of every other .cmvc file in `folder`,
 * indexed by their content texts' embeddings.
 */
async function exemplarLibrary(folder: string, exclude: string, embedder: TextEmbedder): Promise<InMemoryExemplarLibrary> {
  const library = new InMemoryExemplarLibrary();
  const names = (await readdir(folder)).filter((name) => name.endsWith('.cmvc')).sort();
  for (const name of names) {
    const path = resolve(folder, name);
    if (path === resolve(exclude)) continue;
    let keyframes: readonly KeyframeEntry[];
    try {
      keyframes = parseBitstream(await readStream(path), { semanticCodecs: [technicalSemanticCodec] }).representation.keyframes;
    } catch (error) {
      if (error instanceof BitstreamError) continue; // one bad archive file must not block decoding
      throw error;
    }
    const described = keyframes.filter((k): k is KeyframeEntry & { content: string } => k.content !== null);
    const embeddings = await embedder.embed(described.map((k) => k.content));
    described.forEach((k, i) => {
      const embedding = embeddings[i];
      if (embedding) library.add(name, embedding, k.image);
    });
  }
  return library;
}

const decodeUsage = 'cmvc decode IN.cmvc -o OUT.mp4|OUT.webm --mode it2v|tt2v [--library DIR] [--analyzers auto|builtin] [--upscale] [--json]';
export const decodeCommand: ToolCommand = {
  summary: 'reconstruct a video from a .cmvc stream',
  usage: decodeUsage,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        output: { type: 'string', short: 'o' },
        mode: { type: 'string' },
        upscale: { type: 'boolean' },
        library: { type: 'string' },
        analyzers: { type: 'string' },
      },
      decodeUsage,
    );
    const input = single(positionals, decodeUsage);
    const output = values.output as string | undefined;
    if (!output) throw new UsageError(`-o OUT.mp4 is required\nusage: ${decodeUsage}`);
    const mode = oneOf(values.mode as string | undefined, ['it2v', 'tt2v'] as const, 'mode') ?? 'it2v';
    const bytes = await readStream(input);
    // IT2V needs only the built-in interpolator; TT2V needs a generator (and texts) from the models.
    const analyzers = mode === 'tt2v' ? await analyzersFor(values.analyzers) : undefined;
    let generator = analyzers?.generators.find((candidate) => candidate.modes.includes(mode));
    const libraryFolder = values.library as string | undefined;
    if (mode === 'tt2v' && !generator && libraryFolder) {
      if (!analyzers?.textEmbedder) throw new CodecError('GENERATOR_UNAVAILABLE', 'retrieval TT2V needs a text embedder from @cmvc/models, which is not available');
      generator = new RetrievalGenerator({ library: await exemplarLibrary(libraryFolder, input, analyzers.textEmbedder), embedder: analyzers.textEmbedder });
    }
    if (mode === 'tt2v' && !generator)
      throw new CodecError('GENERATOR_UNAVAILABLE', 'TT2V needs a generator: pass --library DIR (archived .cmvc files for retrieval TT2V) or install one in @cmvc/models');
    const progress = createProgressBar(io.stderr);
    try {
      const result = await decodeBitstream(
        bytes,
        {
          mode,
          layerCodec: io.mediaIo.av1LayerCodec,
          target: io.mediaIo.videoFileTarget(output),
          ...(generator ? { generator } : {}),
          ...(values.upscale ? { upscale: true } : {}),
          semanticCodecs: analyzers?.semanticCodecs ?? [technicalSemanticCodec],
          signal: io.signal,
        },
        progress.listener,
      );
      progress.done();
      if (values.json) writeJson(io, { output, ...result });
      else io.stdout.write(`${output}: ${result.frameCount} frames, ${result.width}x${result.height} @ ${result.fps.num}/${result.fps.den} fps (${mode})\n`);
      return EXIT.ok;
    } finally {
      await analyzers?.dispose?.();
    }
  },
};

const infoUsage = 'cmvc info IN.cmvc [--json]';
export const infoCommand: ToolCommand = {
  summary: 'show the sections, rate and texts of a .cmvc stream',
  usage: infoUsage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {}, infoUsage);
    const parsed = parseBitstream(await readStream(single(positionals, infoUsage)), { semanticCodecs: [technicalSemanticCodec] });
    const rate = rateReport(parsed);
    const rep = parsed.representation;
    if (values.json) {
      writeJson(io, {
        version: parsed.version,
        header: rep.header,
        sections: parsed.sections,
        semanticCodecs: rep.semanticCodecs,
        keyframes: rep.keyframes.map((k) => ({ frameIndex: k.frameIndex, time: k.time, format: k.format, width: k.width, height: k.height, bytes: k.image.length, content: k.content })),
        clips: rep.clips.map((c) => ({ index: c.index, startFrame: c.startFrame, endFrame: c.endFrame, startTime: c.startTime, endTime: c.endTime, motion: c.motion, camera: c.camera })),
        motionSideChannel: sideChannelSummary(rep),
        rate,
      });
      return EXIT.ok;
    }
    const h = rep.header;
    const out: string[] = [
      `CMVC v${parsed.version}: ${h.sourceWidth}x${h.sourceHeight} @ ${h.fps.num}/${h.fps.den} fps, ${h.frameCount} frames, ${fixed(h.durationSeconds, 2)} s; working ${h.workingWidth}x${h.workingHeight}`,
      `total ${rate.totalBytes} bytes, ${fixed(rate.kbps)} kbps, ${rate.bpp.toExponential(3)} bpp  (R_k ${rate.keyframeBytes} + R_m ${rate.motionBytes} + weights ${rate.weightBytes} + overhead ${rate.overheadBytes})`,
      '',
      table(
        ['section', 'bytes', 'kbps', 'bpp'],
        rate.sections.map((s) => [s.kind, s.bytes, fixed(s.kbps), s.bpp.toExponential(3)]),
      ),
      '',
      table(
        ['keyframe', 'frame', 'time s', 'image', 'bytes', 'content'],
        rep.keyframes.map((k, i) => [i, k.frameIndex, fixed(k.time, 2), `${k.format} ${k.width}x${k.height}`, k.image.length, k.content ?? `(structured: ${rep.semanticCodecs.content})`]),
      ),
    ];
    const sideChannel = sideChannelSummary(rep);
    if (sideChannel)
      out.push(
        '',
        `motion side channel: ${sideChannel.columns}x${sideChannel.rows} grid in 1/${sideChannel.unitsPerPixel} px, fields for ${sideChannel.framesWithField} of ${sideChannel.interpolatedFrames} interpolated frames`,
      );
    if (rep.clips.length > 0) {
      out.push(
        '',
        table(
          ['clip', 'frames', 'camera', 'bytes', 'kbps', 'motion'],
          rep.clips.map((c, j) => {
            const r = rate.clips[j];
            return [c.index, `${c.startFrame}-${c.endFrame}`, c.camera.kind, fixed(r?.totalBytes ?? 0, 0), fixed(r?.kbps ?? 0), c.motion ?? `(structured: ${rep.semanticCodecs.motion})`];
          }),
        ),
      );
    }
    io.stdout.write(`${out.join('\n')}\n`);
    return EXIT.ok;
  },
};

function sideChannelSummary(rep: CmvcRepresentation) {
  const channel = rep.motionSideChannel;
  if (!channel) return null;
  const framesWithField = channel.fieldIndex.reduce((count, index) => count + (index >= 0 ? 1 : 0), 0);
  return { columns: channel.columns, rows: channel.rows, unitsPerPixel: channel.unitsPerPixel, framesWithField, interpolatedFrames: channel.fieldIndex.length };
}

/** Largest stream `decode`/`info` will read into memory. */
const MAX_STREAM_BYTES = 512 * 1024 * 1024;

async function readStream(path: string): Promise<Uint8Array> {
  const { stat } = await import('node:fs/promises');
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw new BitstreamError('TRUNCATED', `${path} does not exist or cannot be read`);
    },
  );
  if (size > MAX_STREAM_BYTES) throw new BitstreamError('OUT_OF_BOUNDS', `${path} is larger than ${MAX_STREAM_BYTES} bytes`);
  return new Uint8Array(await readFile(path));
}
