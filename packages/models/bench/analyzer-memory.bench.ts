/**
 * Resident memory of a worker-like process with every default analyzer loaded and warm: builds the
 * configured model set (`createAnalyzers`, as the codec CLI does), runs features, a keyframe
 * description, a clip description and caption embeddings on synthetic 768×432 frames, and prints RSS at each step, and
 * whether tfjs was initialised.
 * Usage: node --import tsx packages/models/bench/analyzer-memory.bench.ts
 */
import { createAnalyzers } from '../src/registry.ts';
import { loadedModelKeys } from '../src/runtime/shared.ts';
import { tfInitialised } from '../src/runtime/tf.ts';

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const report = (step: string): void => {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  console.log(`${step.padEnd(28)} rss ${mib(rss)}  (JS heap ${mib(heapUsed)}, external ${mib(external)}, array buffers ${mib(arrayBuffers)})`);
};

const width = 768;
const height = 432;
const frames = Array.from({ length: 8 }, (_, k) => ({
  index: k,
  time: k / 8,
  width,
  height,
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => ((i * (k + 3) * 7) ^ (i >> 9)) & 255),
}));

report('start');
const models = await createAnalyzers();
await models.featureExtractor?.embed(frames);
report('features');
await models.describer.describeKeyframe(frames[0]!);
report('keyframe description');
await models.describer.describeMotion?.({ frames, fps: 8 });
report('clip description');
await models.textEmbedder.embed(Array.from({ length: 32 }, (_, i) => `caption ${i}: a person walks a dog through the park`));
report('caption embeddings');
console.log('models loaded:', loadedModelKeys().join(', '));
console.log('tfjs initialised:', tfInitialised());
await models.dispose?.();
