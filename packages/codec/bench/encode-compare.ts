/**
 * Before/after check for encoder speed work: encodes each clip with the configured models (as the
 * worker does), decodes it with IT2V and prints, per clip, the stream's bytes, the IT2V PSNR
 * against the source at working size, every description, and the encode's CPU seconds (the process's
 * and its main thread's). Write two runs to JSON and diff them.
 *
 *   node --import tsx packages/codec/bench/encode-compare.ts [--layer-only] OUT.json CLIP...
 *
 * `--layer-only` describes with the built-in technical describer (fast): the keyframe layer and
 * the IT2V weights do not depend on the describer, so bytes and PSNR stay comparable.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { loadToolConfig } from '@cmvc/config';
import { createModelSet, ThreadedDescriber } from '@cmvc/models';
import { builtinAnalyzers } from '../src/analyzers/provider.ts';
import { decodeBitstream } from '../src/decoder.ts';
import { encodeVideo } from '../src/encoder.ts';
import { mediaIo } from '@cmvc/media-io';

const run = promisify(execFile);
const layerOnly = process.argv.includes('--layer-only');
const [output, ...clips] = process.argv.slice(2).filter((argument) => argument !== '--layer-only');
if (!output || clips.length === 0) throw new Error('usage: encode-compare.ts OUT.json CLIP...');
const config = loadToolConfig();
const settings = config.models;
const media = mediaIo(config.ffmpeg);
const models = createModelSet(settings);
// The built-in describer and the features run on their own thread, as in the worker.
const threaded = settings.describer === 'builtin' ? new ThreadedDescriber(settings, models.describer.id) : undefined;
const scratch = await mkdtemp(join(tmpdir(), 'cmvc-encode-compare-'));
const results = [];
try {
  for (const clip of clips) {
    const describer = layerOnly ? builtinAnalyzers().describer : (threaded ?? models.describer);
    const featureExtractor = threaded && models.featureExtractor ? threaded.features(models.featureExtractor) : models.featureExtractor;
    const threadCpuAtStart = await mainThreadCpuSeconds();
    const encoded = await encodeVideo(media.videoFile(clip), { layerCodec: media.av1LayerCodec }, { describer, ...(featureExtractor ? { featureExtractor } : {}) });
    const threadCpuAtEnd = await mainThreadCpuSeconds();
    const decodedPath = join(scratch, `${basename(clip)}.mp4`);
    await decodeBitstream(encoded.bitstream, { mode: 'it2v', layerCodec: media.av1LayerCodec, target: media.videoFileTarget(decodedPath) });
    const { workingWidth, workingHeight } = encoded.representation.header;
    const { stderr } = await run('ffmpeg', ['-i', decodedPath, '-i', clip, '-lavfi', `[1:v]scale=${workingWidth}:${workingHeight}:flags=area[ref];[0:v][ref]psnr`, '-f', 'null', '-']);
    const psnr = Number(/average:([\d.]+|inf)/.exec(stderr)?.[1]);
    const layerBytes = (encoded.representation.layer?.segments ?? []).reduce((sum, s) => sum + s.obus.length, 0);
    const result = {
      clip: basename(clip),
      bytes: encoded.bitstream.length,
      sha256: createHash('sha256').update(encoded.bitstream).digest('hex'),
      layerBytes,
      codedFrames: encoded.representation.layer?.frameIndices.length,
      psnr,
      seconds: encoded.profile.wallSeconds,
      cpuSeconds: encoded.profile.cpuSeconds,
      mainThreadCpuSeconds: threadCpuAtStart === undefined || threadCpuAtEnd === undefined ? undefined : threadCpuAtEnd - threadCpuAtStart,
      keyframes: encoded.representation.keyframes.map((k) => `${k.frameIndex}: ${k.content}`),
      clips: encoded.representation.clips.map((c) => `${c.startFrame}-${c.endFrame}: ${c.motion}`),
    };
    console.log(JSON.stringify({ ...result, keyframes: undefined, clips: undefined }));
    results.push(result);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
  await Promise.all([models.dispose?.(), threaded?.dispose()]);
}
await writeFile(output, JSON.stringify(results, null, 2));

/**
 * CPU seconds of the main thread, where the codec runs (the whole process's `cpuSeconds` also holds
 * the describer's thread and ONNX Runtime's pools, which spin while they wait); Linux only.
 */
async function mainThreadCpuSeconds(): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15, in clock ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
