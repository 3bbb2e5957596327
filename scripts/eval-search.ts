// `npm run eval:search`: builds an archive from ../shared/media with the configured models (the
// worker's own caption code, real PostgreSQL), runs the labelled query set in
// docs/search-eval/queries.json through the API's search service, and prints recall@5 (right video,
// and the right moment ±2 s where the query names one) and how many "nothing" queries return nothing.
//
//   node --import tsx scripts/eval-search.ts [--media dir] [--queries file] [--fresh] [--report file.md]
//
// Encoded texts are cached per source file and describer under $CMVC_DATA_DIR/eval-search; --fresh
// re-encodes. Videos are tagged "eval-search" and searched with that tag, so a demo archive in
// the same database is neither changed nor searched.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeVideo } from '@cmvc/codec';
import { mediaIo } from '@cmvc/media-io';
import { createDatabase, RepresentationRepository, SearchRepository, VideoRepository } from '@cmvc/db';
import { createModelSet, readSpeechAudio, transcribeSpeech, type TranscriptSegment } from '@cmvc/models';
import { DEFAULT_MIN_SIMILARITY, SearchService } from '@cmvc/core';
import { speechPipeline } from '../workers/src/analyzers.ts';
import { captionsOf, type CaptionSource } from '@cmvc/core';
import { loadScriptConfig } from '@cmvc/config';
import { privateServicesEnv } from './private-services.ts';

const TAG = 'eval-search';
const MOMENT_TOLERANCE_SECONDS = 2;
const TOP_K = 5;

interface LabelledQuery {
  readonly query: string;
  /** Files any of which is a right answer; empty for a query that must return nothing. */
  readonly videos: readonly string[];
  /** Times (seconds) the query describes, any of which counts; absent when the whole video fits. */
  readonly at?: readonly number[];
}

interface CachedText extends CaptionSource {
  readonly describer: string;
  readonly durationSeconds: number;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
  readonly encodeSeconds: number;
  readonly keyframes: readonly { readonly frameIndex: number; readonly time: number; readonly content: string | null }[];
  readonly clips: readonly { readonly index: number; readonly startFrame: number; readonly endFrame: number; readonly startTime: number; readonly endTime: number; readonly motion: string | null }[];
  readonly speech: readonly TranscriptSegment[];
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] ? args[index + 1]! : fallback;
};
const fresh = args.includes('--fresh');
const mediaDir = path.resolve(option('--media', '../shared/media'));
const queriesFile = path.resolve(option('--queries', 'docs/search-eval/queries.json'));
const reportFile = option('--report', '');

// Without DATABASE_URL, like `npm test`: the private services under CMVC_DATA_DIR, started if they are not running.
const config = loadScriptConfig(() => privateServicesEnv({ start: true }));
const io = mediaIo(config.ffmpeg);
const cacheDir = path.join(config.dataDir, 'eval-search');
await mkdir(cacheDir, { recursive: true });

const models = createModelSet(config.models, config.ffmpeg);
const db = createDatabase(config.databaseUrl);
try {
  const files = (await readdir(mediaDir)).filter((name) => /\.(mp4|mkv|gif|webm|mov)$/iu.test(name)).sort();
  const texts = new Map<string, CachedText>();
  for (const file of files) texts.set(file, await encodeCached(file));

  // A fresh archive of just these videos.
  await db.video.deleteMany({ where: { tags: { has: TAG } } });
  const videos = new VideoRepository(db);
  const representations = new RepresentationRepository(db);
  const titles = new Map<string, string>();
  for (const [file, text] of texts) {
    const { video } = await videos.createQueued({
      title: file,
      tags: [TAG],
      sha256: createHash('sha256').update(`${TAG}:${file}:${text.describer}`).digest('hex'),
      sourceBytes: (await stat(path.join(mediaDir, file))).size,
      durationSeconds: text.durationSeconds,
      fps: text.fps,
      width: text.width,
      height: text.height,
      frameCount: text.frameCount,
      sourceBlobKey: `${TAG}/${file}`,
    });
    titles.set(video.id, file);
    const captions = captionsOf(text, text.speech);
    const vectors = await models.textEmbedder.embed(captions.map((caption) => caption.text));
    await representations.saveReady(video.id, {
      keyframes: text.keyframes.map((keyframe) => ({
        frameIndex: keyframe.frameIndex,
        timeSeconds: keyframe.time,
        blobKey: `${TAG}/${video.id}/${keyframe.frameIndex}`,
        bytes: 0,
        format: 'avif',
        width: text.width,
        height: text.height,
      })),
      clips: text.clips.map((clip) => ({ index: clip.index, startFrame: clip.startFrame, endFrame: clip.endFrame, startSeconds: clip.startTime, endSeconds: clip.endTime })),
      captions: captions.map((caption, i) => ({ ...caption, embedding: { model: models.textEmbedder.id, vector: vectors[i]! } })),
      bitstream: { blobKey: `${TAG}/${video.id}.cmvc`, bytes: 0, sections: [] },
      keepSource: false,
    });
  }

  const search = new SearchService(new SearchRepository(db), models.textEmbedder);
  const queries = JSON.parse(await readFile(queriesFile, 'utf8')) as LabelledQuery[];
  const rows: string[] = [];
  let found = 0;
  let positives = 0;
  let rejected = 0;
  let negatives = 0;
  for (const labelled of queries) {
    const { moments } = await search.moments(labelled.query, TOP_K, 0, undefined, { tags: [TAG] });
    const top = moments.map((moment) => ({ file: titles.get(moment.videoId) ?? '?', start: moment.startSeconds, end: moment.endSeconds, similarity: moment.similarity, kind: moment.kind }));
    const best = top[0];
    const shown = best ? `${best.file} ${best.start.toFixed(1)}–${best.end.toFixed(1)} s (${Math.round(best.similarity * 100)} %, ${best.kind})` : 'nothing';
    if (labelled.videos.length === 0) {
      negatives += 1;
      const ok = top.length === 0;
      if (ok) rejected += 1;
      rows.push(`| ${labelled.query} | nothing | ${shown} | ${ok ? 'yes' : '**no**'} |`);
      continue;
    }
    positives += 1;
    const hit = top.findIndex(
      (moment) =>
        labelled.videos.includes(moment.file) &&
        (labelled.at === undefined || labelled.at.some((at) => at >= moment.start - MOMENT_TOLERANCE_SECONDS && at <= moment.end + MOMENT_TOLERANCE_SECONDS)),
    );
    if (hit >= 0) found += 1;
    const expected = `${labelled.videos.join(' or ')}${labelled.at === undefined ? '' : ` at ${labelled.at.join(' or ')} s`}`;
    rows.push(`| ${labelled.query} | ${expected} | ${shown} | ${hit >= 0 ? `yes (#${hit + 1})` : '**no**'} |`);
  }

  const summary = [
    `recall@${TOP_K} (moment ±${MOMENT_TOLERANCE_SECONDS} s): ${(found / Math.max(1, positives)).toFixed(2)} (${found}/${positives})`,
    `"nothing" queries that returned nothing: ${rejected}/${negatives}`,
    `similarity floor: ${DEFAULT_MIN_SIMILARITY}, embedder: ${models.textEmbedder.id}, describer: ${models.describer.id}`,
  ];
  const report = [
    `# Search evaluation over ${path.basename(mediaDir)} (${files.length} videos, ${queries.length} queries)`,
    '',
    ...summary.map((line) => `- ${line}`),
    '',
    '| query | expected | top result | hit |',
    '|---|---|---|---|',
    ...rows,
    '',
    '## Texts the describer wrote',
    '',
    ...[...texts].flatMap(([file, text]) => [
      `### ${file} (${text.durationSeconds.toFixed(1)} s, encoded in ${text.encodeSeconds.toFixed(1)} s)`,
      '',
      ...text.keyframes.map((keyframe) => `- ${keyframe.time.toFixed(1)} s, content: ${keyframe.content ?? '—'}`),
      ...text.clips.map((clip) => `- ${clip.startTime.toFixed(1)}–${clip.endTime.toFixed(1)} s, motion: ${clip.motion ?? '—'}`),
      ...text.speech.map((segment) => `- ${segment.start.toFixed(1)}–${segment.end.toFixed(1)} s, speech: ${segment.text}`),
      '',
    ]),
  ].join('\n');
  console.log(report);
  if (reportFile) await writeFile(reportFile, `${report}\n`);
} finally {
  await models.dispose?.();
  await db.$disconnect();
}

async function encodeCached(file: string): Promise<CachedText> {
  const source = path.join(mediaDir, file);
  const digest = createHash('sha256').update(await readFile(source)).digest('hex').slice(0, 16);
  const cacheFile = path.join(cacheDir, `${digest}-${createHash('sha256').update(models.describer.id).digest('hex').slice(0, 8)}.json`);
  if (!fresh) {
    try {
      return JSON.parse(await readFile(cacheFile, 'utf8')) as CachedText;
    } catch {
      // not cached yet
    }
  }
  const media = await io.probe(source);
  const started = performance.now();
  const { representation } = await encodeVideo(io.videoFile(source), {
      layerCodec: io.av1LayerCodec,
      describeEverySeconds: config.encode.keyframeIntervalSeconds,
      maxKeyframes: config.encode.maxKeyframes,
      strategy: config.encode.strategy,
      quality: config.encode.quality,
      audioKbps: 0,
      media,
    },
    {
      describer: models.describer,
      ...(models.featureExtractor ? { featureExtractor: models.featureExtractor } : {}),
      ...(models.semanticCodecs[0] ? { semanticCodec: models.semanticCodecs[0] } : {}),
    },
  );
  const pipeline = speechPipeline(config.speech);
  const audio = pipeline ? await readSpeechAudio(source, { tools: io.tools, maxSeconds: config.speech.maxSeconds }) : null;
  const speech = pipeline && audio ? await transcribeSpeech(audio, pipeline) : [];
  const text: CachedText = {
    describer: models.describer.id,
    durationSeconds: media.durationSeconds,
    fps: media.fps,
    width: media.width,
    height: media.height,
    frameCount: media.frameCount,
    encodeSeconds: (performance.now() - started) / 1000,
    keyframes: representation.keyframes.map(({ frameIndex, time, content }) => ({ frameIndex, time, content })),
    clips: representation.clips.map(({ index, startFrame, endFrame, startTime, endTime, motion }) => ({ index, startFrame, endFrame, startTime, endTime, motion })),
    speech,
  };
  await writeFile(cacheFile, `${JSON.stringify(text, null, 2)}\n`);
  console.error(`encoded ${file} in ${text.encodeSeconds.toFixed(1)} s`);
  return text;
}
