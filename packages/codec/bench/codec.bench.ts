/**
 * Encode/decode throughput and per-section rate of the CMVC codec on a folder of videos.
 *   npm run bench -w @cmvc/codec -- [FOLDER] [--models] [--keyframes N] [--quality low|middle|high]
 * Default folder: /work/shared/media (../../shared/media from the repository root).
 * Targets: encode ≥ 2× real time, IT2V decode ≥ 30 fps at 480p working resolution.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { builtinAnalyzers, loadAnalyzers } from '../src/analyzers/provider.ts';
import { fixed, table } from '../src/format.ts';
import { writeBitstream } from '../src/bitstream/container.ts';
import { decodeBitstream } from '../src/decoder.ts';
import { encodeVideo } from '../src/encoder.ts';
import type { QualityPreset } from '../src/representation/keyframe-image.ts';
import { recordHeadlines } from '../../../bench/headlines.ts';
import { mediaIo } from '@cmvc/media-io';

const media = mediaIo();

const VIDEO = /\.(mp4|mkv|webm|mov|gif|avi)$/i;
const { values, positionals } = parseArgs({
  options: { models: { type: 'boolean' }, keyframes: { type: 'string' }, quality: { type: 'string' }, 'working-height': { type: 'string' } },
  allowPositionals: true,
});
const repoRoot = resolve(import.meta.dirname, '../../..');
const folder = resolve(positionals[0] ?? join(repoRoot, '../shared/media'));
const scratch = mkdtempSync(join(tmpdir(), 'cmvc-bench-'));
// One generated clip at exactly 854x480 so there is always a true-480p figure (the sample media are ≤ 480 rows).
const synthetic = join(scratch, 'synthetic-testsrc2-854x480-10s.mp4');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=854x480:rate=30:duration=10', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', synthetic]);
const files = [...readdirSync(folder).filter((name) => VIDEO.test(name)).sort().map((name) => join(folder, name)), synthetic];
const analyzers = values.models ? await loadAnalyzers({ provider: async () => (await import('@cmvc/models')).createAnalyzers() }) : builtinAnalyzers();
const workingHeight = Number(values['working-height'] ?? 480);
const semanticCodec = analyzers.semanticCodecs.find((codec) => codec.id === analyzers.describer.id);

console.log(`folder ${folder}: ${files.length - 1} videos + 1 generated 480p clip; analyzers ${analyzers.source}; working height ${workingHeight}\n`);
const summary: (string | number)[][] = [];
const perClip: (string | number)[][] = [];
let totals = { frames: 0, seconds: 0, encodeSeconds: 0, decodeSeconds: 0 };
try {
  for (const path of files) {
    const name = basename(path);
    const t0 = performance.now();
    const encoded = await encodeVideo(media.videoFile(path), {
        layerCodec: media.av1LayerCodec,
        workingHeight,
        quality: (values.quality as QualityPreset | undefined) ?? 'low',
        ...(values.keyframes ? { keyframes: Number(values.keyframes) } : {}),
      },
      {
        describer: analyzers.describer,
        ...(analyzers.featureExtractor ? { featureExtractor: analyzers.featureExtractor } : {}),
        ...(semanticCodec ? { semanticCodec } : {}),
      },
    );
    const encodeSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const decoded = await decodeBitstream(encoded.bitstream, { mode: 'it2v', layerCodec: media.av1LayerCodec, target: media.videoFileTarget(join(scratch, `${name}.mp4`)) });
    const decodeSeconds = (performance.now() - t1) / 1000;
    const { header } = encoded.representation;
    const { rate } = encoded;
    const duration = rate.durationSeconds;
    totals = {
      frames: totals.frames + header.frameCount,
      seconds: totals.seconds + duration,
      encodeSeconds: totals.encodeSeconds + encodeSeconds,
      decodeSeconds: totals.decodeSeconds + decodeSeconds,
    };
    if (decoded.frameCount !== header.frameCount) throw new Error(`${name}: decoded ${decoded.frameCount} of ${header.frameCount} frames`);
    const section = (kind: string): number => rate.sections.find((s) => s.kind === kind)?.bytes ?? 0;
    // The same descriptions in the describer's structured form, for comparison with the coded texts.
    const both = writeBitstream(encoded.representation, { textForm: 'both' }).sections;
    const structured = (kind: string): string => String(both.find((s) => s.kind === kind)?.length ?? '-');
    summary.push([
      name,
      `${header.sourceWidth}x${header.sourceHeight}→${header.workingWidth}x${header.workingHeight}`,
      header.frameCount,
      encoded.representation.keyframes.length,
      fixed(header.frameCount / encodeSeconds, 1),
      fixed(duration / encodeSeconds, 2),
      fixed(header.frameCount / decodeSeconds, 1),
      section('header'),
      section('keyframes'),
      `${section('contentText')}/${structured('contentSemantic')}`,
      `${section('motionText')}/${structured('motionSemantic')}`,
      section('cameraMotion'),
      section('it2vWeights'),
      rate.totalBytes,
      fixed(rate.kbps, 2),
      rate.bpp.toExponential(2),
    ]);
    for (const clip of rate.clips) {
      const b = clip.bytes;
      perClip.push([
        `${name}#${clip.index}`,
        clip.frames,
        fixed(b.keyframes ?? 0, 0),
        fixed(b.contentText ?? 0, 1),
        fixed(b.motionText ?? 0, 1),
        fixed(b.cameraMotion ?? 0, 1),
        fixed(b.it2vWeights ?? 0, 1),
        fixed(clip.totalBytes, 0),
        clip.bpp.toExponential(2),
        fixed(clip.kbps, 2),
      ]);
    }
  }
  console.log(
    table(
      ['video', 'size', 'frames', 'n', 'enc fps', 'enc ×RT', 'IT2V dec fps', 'hdr B', 'keyframes B', 'content B txt/sem', 'motion B txt/sem', 'camera B', 'weights B', 'total B', 'kbps', 'bpp'],
      summary,
    ),
  );
  console.log(`\nper clip (bytes attributed per section; bpp over the clip's source pixels)\n`);
  console.log(table(['clip', 'frames', 'keyframes', 'content', 'motion', 'camera', 'weights', 'total B', 'bpp', 'kbps'], perClip));
  console.log(
    `\nall: ${totals.frames} frames, ${fixed(totals.seconds, 1)} s of video; encode ${fixed(totals.frames / totals.encodeSeconds, 1)} fps ` +
      `(${fixed(totals.seconds / totals.encodeSeconds, 2)}× real time, target ≥ 2×); IT2V decode ${fixed(totals.frames / totals.decodeSeconds, 1)} fps (target ≥ 30)`,
  );
  const analyzerLabel = values.models ? 'models' : 'built-in analyzers';
  recordHeadlines([
    { bench: 'codec', metric: `encode speed, ${files.length} clips, ${analyzerLabel}`, value: totals.seconds / totals.encodeSeconds, unit: '× real time', target: '≥ 2' },
    { bench: 'codec', metric: `IT2V decode, ${files.length} clips`, value: totals.frames / totals.decodeSeconds, unit: 'frames/s', target: '≥ 30' },
  ]);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await analyzers.dispose?.();
}
