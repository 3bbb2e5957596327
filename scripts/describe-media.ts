// Prints what the describer writes (content and motion texts) for each video in a folder, with the
// encode time: `node --import tsx scripts/describe-media.ts [folder] [--json out.json] [--registry module]`.
// `--registry` loads `createModelSet` from another copy of packages/models, to compare two versions.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeVideo } from '@cmvc/codec';
import { mediaIo } from '@cmvc/media-io';
import { loadToolConfig } from '@cmvc/config';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args.splice(index, 2)[1] : undefined;
};
const jsonPath = option('--json');
const registryPath = option('--registry');
const folder = path.resolve(args[0] ?? '../shared/media');
const { createModelSet } = (await import(registryPath ? path.resolve(registryPath) : '@cmvc/models')) as typeof import('@cmvc/models');

const config = loadToolConfig();
const io = mediaIo(config.ffmpeg);
const models = createModelSet(config.models, config.ffmpeg);
const results: { file: string; seconds: number; encodeSeconds: number; content: string[]; motion: string[] }[] = [];
try {
  for (const file of (await readdir(folder)).filter((name) => /\.(mp4|mkv|gif|webm|mov)$/iu.test(name)).sort()) {
    const source = path.join(folder, file);
    const media = await io.probe(source);
    const started = performance.now();
    const { representation } = await encodeVideo(io.videoFile(source), { layerCodec: io.av1LayerCodec, keyframes: Math.max(2, Math.min(64, Math.round(media.durationSeconds / 4) + 1)), strategy: 'cs', quality: 'low', media },
      { describer: models.describer, ...(models.featureExtractor ? { featureExtractor: models.featureExtractor } : {}), ...(models.semanticCodecs[0] ? { semanticCodec: models.semanticCodecs[0] } : {}) },
    );
    const result = {
      file,
      seconds: media.durationSeconds,
      encodeSeconds: (performance.now() - started) / 1000,
      content: representation.keyframes.map((keyframe) => keyframe.content ?? ''),
      motion: representation.clips.map((clip) => clip.motion ?? ''),
    };
    results.push(result);
    console.log(`## ${file} (${result.seconds.toFixed(1)} s, encoded in ${result.encodeSeconds.toFixed(1)} s)`);
    result.content.forEach((text, i) => console.log(`  content ${i}: ${text}`));
    result.motion.forEach((text, i) => console.log(`  motion ${i}: ${text}`));
  }
} finally {
  await models.dispose?.();
}
if (jsonPath) await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
