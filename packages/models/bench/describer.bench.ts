/**
 * The describer alone, in this process, as an encode calls it: on a 768×432, 30 fps cut of a clip it
 * describes a keyframe every `--every` seconds and the motion of each stretch between them, with the
 * configured models (every default analyzer). Prints each stage's calls, wall and CPU seconds (this
 * process runs nothing else, so CPU is the describer's), first with the models loading (`cold`),
 * then again warm, and the texts, so two versions can be compared text for text.
 *
 *   node --import tsx packages/models/bench/describer.bench.ts [--clips walking,bottle] [--seconds 10] [--every 3]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { EncodeProfile, withProfile, type TimedFrame } from '@cmvc/codec';
import { loadToolConfig } from '@cmvc/config';
import { createModelSet } from '../src/registry.ts';

const SIZE = { width: 768, height: 432 };
const FPS = 30;
const MEDIA = join(import.meta.dirname, '../../../../shared/media');
const FILES: Record<string, string> = {
  walking: 'face-demographics-walking.gif',
  bottle: 'bottle-detection.mp4',
  people: 'people-detection.gif',
  fruit: 'fruit-and-vegetable-detection.gif',
  'asl-eat': 'asl-eat.mkv',
};

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
};
const clips = option('--clips', 'walking,bottle').split(',');
const seconds = Number(option('--seconds', '10'));
const every = Number(option('--every', '3'));

async function framesOf(name: string): Promise<TimedFrame[]> {
  const file = join(MEDIA, FILES[name] ?? name);
  if (!existsSync(file)) throw new Error(`no clip ${file}`);
  const scale = `scale=${SIZE.width}:${SIZE.height}:force_original_aspect_ratio=decrease,pad=${SIZE.width}:${SIZE.height}:(ow-iw)/2:(oh-ih)/2,fps=${FPS}`;
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    ['-v', 'error', '-stream_loop', '-1', '-i', file, '-t', String(seconds), '-vf', scale, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 2 * 1024 * 1024 * 1024 },
  );
  const bytes = SIZE.width * SIZE.height * 3;
  return Array.from({ length: Math.floor(stdout.length / bytes) }, (_, index) => ({
    index,
    time: index / FPS,
    ...SIZE,
    data: new Uint8Array(stdout.subarray(index * bytes, (index + 1) * bytes)),
  }));
}

const settings = loadToolConfig().models;
// Detection and pose remember results by frame content: each round gets its own model set (the
// loaded sessions are shared, the remembered results are not), so the warm round computes them again.
const sets = [createModelSet(settings)];
const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

console.log(`describer ${sets[0]!.describer.id}; load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
try {
  for (const name of clips) {
    const frames = await framesOf(name);
    const step = Math.round(every * FPS);
    const keyIndices = Array.from({ length: Math.ceil(frames.length / step) }, (_, i) => i * step);
    for (const round of ['cold', 'warm']) {
      const set = createModelSet(settings);
      sets.push(set);
      const describer = set.describer;
      const profile = new EncodeProfile();
      const wall = performance.now();
      const cpu = process.cpuUsage();
      const texts = await withProfile(profile, async () => {
        const out: string[] = [];
        for (const [i, start] of keyIndices.entries()) {
          out.push(`content ${i}: ${(await describer.describeKeyframe(frames[start]!)).text}`);
          const end = keyIndices[i + 1];
          if (end !== undefined) out.push(`motion ${i}: ${(await describer.describeMotion({ frames: frames.slice(start, end + 1), fps: FPS })).text}`);
        }
        return out;
      });
      console.log(`\n## ${name} (${frames.length} frames), ${round}: ${((performance.now() - wall) / 1000).toFixed(2)} s wall, ${cpuSeconds(cpu).toFixed(2)} CPU-s`);
      console.log('| stage | calls | wall s | CPU s |\n|---|---:|---:|---:|');
      for (const stage of profile.stages()) console.log(`| ${stage.stage} | ${stage.calls} | ${stage.wallSeconds.toFixed(2)} | ${stage.cpuSeconds.toFixed(2)} |`);
      for (const text of texts) console.log(`  ${text}`);
    }
  }
} finally {
  for (const set of sets) await set.dispose?.();
}
console.log(`\nload average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
