/**
 * Where one warm encode's JavaScript time goes: encodes the clip once to load the models, then
 * again under the V8 sampling profiler, writes the .cpuprofile and prints the self time per
 * function and per file. Only the encode's own thread is sampled: the describer and the features
 * run on their own thread, as in the worker.
 *
 *   node --import tsx packages/codec/bench/encode-profile.ts CLIP [OUT.cpuprofile]
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { loadToolConfig } from '@cmvc/config';
import { createModelSet, ThreadedDescriber } from '@cmvc/models';
import { mediaIo } from '@cmvc/media-io';
import { encodeVideo } from '../src/encoder.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [clip, output = 'encode.cpuprofile'] = process.argv.slice(2);
if (!clip) throw new Error('usage: encode-profile.ts CLIP [OUT.cpuprofile]');
const config = loadToolConfig();
const settings = config.models;
const media = mediaIo(config.ffmpeg);
const models = createModelSet(settings);
// The built-in describer and the features run on their own thread, as in the worker: the profile is the codec's thread.
const thread = settings.describer === 'builtin' ? new ThreadedDescriber(settings, models.describer.id) : undefined;
const featureExtractor = thread && models.featureExtractor ? thread.features(models.featureExtractor) : models.featureExtractor;
const analyzers = { describer: thread ?? models.describer, ...(featureExtractor ? { featureExtractor } : {}) };
try {
  await encodeVideo(media.videoFile(clip), { layerCodec: media.av1LayerCodec }, analyzers);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  const encoded = await encodeVideo(media.videoFile(clip), { layerCodec: media.av1LayerCodec }, analyzers);
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  session.disconnect();
  await writeFile(output, JSON.stringify(profile));
  console.log(`encode: ${encoded.profile.wallSeconds.toFixed(1)} s wall, ${encoded.profile.cpuSeconds.toFixed(1)} CPU-s; profile in ${output}`);
  summarise(profile);
} finally {
  await Promise.all([models.dispose?.(), thread?.dispose()]);
}

function summarise(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url ? relative(process.cwd(), url.replace(/^file:\/\//, '')) : '(native)';
    const name = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  const top = (table: Map<string, number>, n: number): void => {
    for (const [key, ms] of [...table].sort((a, b) => b[1] - a[1]).slice(0, n))
      console.log(`${(ms / 1000).toFixed(2).padStart(7)} s ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${key}`);
  };
  console.log(`\nself time by function (of ${(total / 1000).toFixed(1)} s sampled):`);
  top(byFunction, 40);
  console.log('\nself time by file:');
  top(byFile, 25);
}
