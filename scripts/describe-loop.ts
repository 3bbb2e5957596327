// Dev loop for the describer (not part of CI): `capture` encodes each clip of ../shared/media once
// and stores the frames handed to the describer under $CMVC_DATA_DIR/describe-frames; `replay`
// re-describes the stored frames with the current describer (printing its CPU time) and writes
// eval-search's cache (not with --no-cache), so `eval-search.ts` without --fresh only searches;
// `detect` prints every detector candidate (score >= 0.1) per stored frame.
//
//   node --import tsx scripts/describe-loop.ts capture|replay|detect [part of a file name] [--no-cache]
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeVideo, type ClipFrames, type SceneDescriber, type TimedFrame } from '@cmvc/codec';
import { mediaIo } from '@cmvc/media-io';
import { createModelSet } from '@cmvc/models';
import { loadConfig } from '@cmvc/config';

const noCache = process.argv.includes('--no-cache');
const [mode, only] = process.argv.slice(2).filter((arg) => arg !== '--no-cache');
const config = loadConfig();
const io = mediaIo(config.ffmpeg);
const mediaDir = path.resolve('../shared/media');
const framesDir = path.join(config.dataDir, 'describe-frames');
const cacheDir = path.join(config.dataDir, 'eval-search');
await mkdir(framesDir, { recursive: true });
await mkdir(cacheDir, { recursive: true });
const models = createModelSet(config.models, config.ffmpeg);
const files = (await readdir(mediaDir)).filter((name) => /\.(mp4|mkv|gif|webm|mov)$/iu.test(name) && (!only || name.includes(only))).sort();

interface StoredFrame { index: number; time: number; width: number; height: number; offset: number }
const pack = (frames: TimedFrame[], chunks: Buffer[], at: { n: number }): StoredFrame[] =>
  frames.map((f) => {
    const stored = { index: f.index, time: f.time, width: f.width, height: f.height, offset: at.n };
    chunks.push(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength));
    at.n += f.data.byteLength;
    return stored;
  });

for (const file of files) {
  const source = path.join(mediaDir, file);
  const base = path.join(framesDir, file);
  if (mode === 'capture') {
    const media = await io.probe(source);
    const keyframes: StoredFrame[] = [];
    const clips: { fps: number; frames: StoredFrame[] }[] = [];
    const chunks: Buffer[] = [];
    const at = { n: 0 };
    const recording: SceneDescriber = {
      id: models.describer.id,
      describeKeyframe: (frame) => { keyframes.push(...pack([frame], chunks, at)); return models.describer.describeKeyframe(frame); },
      describeMotion: (clip) => { clips.push({ fps: clip.fps, frames: pack([...clip.frames], chunks, at) }); return models.describer.describeMotion(clip); },
    };
    const started = performance.now();
    const { representation } = await encodeVideo(io.videoFile(source), { layerCodec: io.av1LayerCodec, describeEverySeconds: config.encode.keyframeIntervalSeconds, maxKeyframes: config.encode.maxKeyframes, strategy: config.encode.strategy, quality: config.encode.quality, audioKbps: 0, media }, { describer: recording, ...(models.featureExtractor ? { featureExtractor: models.featureExtractor } : {}), ...(models.semanticCodecs[0] ? { semanticCodec: models.semanticCodecs[0] } : {}) });
    const meta = {
      media: { durationSeconds: media.durationSeconds, fps: media.fps, width: media.width, height: media.height, frameCount: media.frameCount },
      encodeSeconds: (performance.now() - started) / 1000,
      keyframes, clips,
      rep: { keyframes: representation.keyframes.map(({ frameIndex, time }) => ({ frameIndex, time })), clips: representation.clips.map(({ index, startFrame, endFrame, startTime, endTime }) => ({ index, startFrame, endFrame, startTime, endTime })) },
    };
    await writeFile(`${base}.bin`, Buffer.concat(chunks));
    await writeFile(`${base}.json`, JSON.stringify(meta));
    console.error(`captured ${file} in ${meta.encodeSeconds.toFixed(1)} s`);
  } else if (mode === 'detect') {
    const meta = JSON.parse(await readFile(`${base}.json`, 'utf8'));
    const bin = await readFile(`${base}.bin`);
    const { createObjectDetector, cocoLabels: COCO_LABELS } = await import('@cmvc/models');
    const detector = createObjectDetector({ model: config.models.detector as never, scoreThreshold: 0.1 });
    const all: StoredFrame[] = [...meta.keyframes, ...meta.clips.flatMap((c: { frames: StoredFrame[] }) => c.frames)];
    const seenFrames = new Set<number>();
    for (const s of all.sort((a, b) => a.index - b.index)) {
      if (seenFrames.has(s.index)) continue;
      seenFrames.add(s.index);
      const frame = { width: s.width, height: s.height, data: new Uint8Array(bin.buffer, bin.byteOffset + s.offset, s.width * s.height * 3) };
      const [list] = await detector.detect([frame]);
      console.log(`${file} ${s.time.toFixed(2)}: ${(list ?? []).map((d) => `${COCO_LABELS[d.classId]}:${d.score.toFixed(2)}@${d.box.x.toFixed(2)},${d.box.y.toFixed(2)},${d.box.width.toFixed(2)}x${d.box.height.toFixed(2)}`).join(' ')}`);
    }
  } else {
    const meta = JSON.parse(await readFile(`${base}.json`, 'utf8'));
    const bin = await readFile(`${base}.bin`);
    const frameOf = (s: StoredFrame): TimedFrame => ({ index: s.index, time: s.time, width: s.width, height: s.height, data: new Uint8Array(bin.buffer, bin.byteOffset + s.offset, s.width * s.height * 3) });
    const started = process.cpuUsage();
    const contents = new Map<number, string>();
    for (const k of meta.keyframes as StoredFrame[]) contents.set(k.index, (await models.describer.describeKeyframe(frameOf(k))).text);
    const motions = new Map<number, string>();
    for (const c of meta.clips as { fps: number; frames: StoredFrame[] }[]) {
      const clip: ClipFrames = { fps: c.fps, frames: c.frames.map(frameOf) };
      motions.set(c.frames[0]!.index, (await models.describer.describeMotion(clip)).text);
    }
    const cpu = process.cpuUsage(started);
    const digest = createHash('sha256').update(await readFile(source)).digest('hex').slice(0, 16);
    const cacheFile = path.join(cacheDir, `${digest}-${createHash('sha256').update(models.describer.id).digest('hex').slice(0, 8)}.json`);
    const text = {
      describer: models.describer.id,
      ...meta.media,
      encodeSeconds: meta.encodeSeconds,
      keyframes: meta.rep.keyframes.map((k: { frameIndex: number; time: number }) => ({ ...k, content: contents.get(k.frameIndex) ?? null })),
      clips: meta.rep.clips.map((c: { startFrame: number }) => ({ ...c, motion: motions.get(c.startFrame) ?? null })),
      speech: [],
    };
    if (!noCache) await writeFile(cacheFile, `${JSON.stringify(text, null, 2)}\n`);
    console.log(`### ${file} (describer CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`);
    for (const k of text.keyframes) console.log(`  ${k.time.toFixed(1)} C: ${k.content}`);
    for (const c of text.clips) console.log(`  ${c.startTime.toFixed(1)}-${c.endTime.toFixed(1)} M: ${c.motion}`);
  }
}
await models.dispose?.();
