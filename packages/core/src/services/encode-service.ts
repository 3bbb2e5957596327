import { join } from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import { blobKeys, type BlobStore } from '@cmvc/blob';
import {
  CodecError,
  EncodeProfile,
  encodeVideo,
  type Analyzers,
  type EncodeResult,
  type MediaInfo,
  type ProgressListener,
  type TextEmbedder,
} from '@cmvc/codec';
import { MediaError, type MediaIo } from '@cmvc/media-io';
import type { AppConfig } from '@cmvc/config';
import { readSpeechAudio, transcribeSpeech, type SpeechPipeline, type TranscriptSegment } from '@cmvc/models';
import type { RepresentationRepository, StoredCaption, VideoRepository } from '@cmvc/db';
import { progressReporter, type ArchiveEvents, type EncodeJobData, type JobHandler } from '@cmvc/jobs';
import { systemScratch, type Scratch } from '../ports.ts';

export interface EncodeDependencies {
  readonly config: AppConfig;
  readonly videos: VideoRepository;
  readonly representations: RepresentationRepository;
  readonly blobs: BlobStore;
  /** ffmpeg/ffprobe: the source's probe, decoding and sound, the keyframe layer's AV1. */
  readonly mediaIo: MediaIo;
  readonly analyzers: Analyzers;
  readonly embedder: TextEmbedder | null;
  /** Turns the source's speech into SPEECH captions; null leaves them out. */
  readonly speech?: SpeechPipeline | null;
  readonly events: ArchiveEvents;
  readonly scratch?: Scratch;
}

/**
 * The encode job: source blob → probe (its media facts go on the video row) → CMVC representation
 * → blobs + rows, in an order that never leaves a half-written video. Blobs are written first under
 * the video's own prefix (which a retry wipes before starting), then every row lands in one
 * transaction that also marks the video READY. Ingest only sniffed the container, so a source
 * ffprobe cannot read fails here, for good.
 */
export class EncodeService {
  constructor(private readonly dependencies: EncodeDependencies) {}

  /** The `encode` job; a video whose job failed for the last time is marked FAILED. */
  encodeJob(): JobHandler<'encode'> {
    return { name: 'encode', run: (job) => this.encode(job), failed: (payload, reason) => this.fail(payload.videoId, reason) };
  }

  private async encode(job: Job<EncodeJobData>): Promise<void> {
    const { videos, blobs, config } = this.dependencies;
    const video = await videos.findById(job.data.videoId);
    if (!video) throw new UnrecoverableError(`Video ${job.data.videoId} no longer exists`);
    if (video.status === 'READY') return;
    if (!video.sourceBlobKey) throw new UnrecoverableError('The source of this video is no longer stored');

    await videos.setStatus(video.id, 'ENCODING');
    await this.videoUpdated(video.id);
    const report = progressReporter(job, this.dependencies.events, { kind: 'ENCODE', videoId: video.id, renditionId: null });
    await blobs.deletePrefix(blobKeys.videoPrefix(video.id));
    const workDir = await (this.dependencies.scratch ?? systemScratch).folder('cmvc-encode-');
    try {
      const sourcePath = join(workDir.path, 'source');
      await blobs.download(video.sourceBlobKey, sourcePath);
      const media = await probeSource(this.dependencies.mediaIo, sourcePath);
      await videos.setMedia(video.id, media);
      report('decode', 0, true);
      const analysed = await analyseSource(sourcePath, media, this.dependencies, (event) => report(event.stage, event.fraction)).catch((error: unknown) => {
        // A source ffmpeg cannot read will not get better on retry.
        if (error instanceof MediaError || (error instanceof CodecError && error.code === 'INVALID_OPTIONS')) {
          throw new UnrecoverableError(`${error.code}: ${error.message}`);
        }
        throw error;
      });
      console.log(`encode of video ${video.id}: ${profileSummary(analysed.result.profile)}`);
      await this.store(video.id, analysed);
      if (!config.ingest.keepOriginals) await blobs.delete(video.sourceBlobKey);
      report('done', 1, true);
      await this.videoUpdated(video.id);
    } finally {
      await workDir.remove();
    }
  }

  /** Called when a job has failed for good: the video records why, and its partial blobs go. */
  private async fail(videoId: string, reason: string): Promise<void> {
    await this.dependencies.blobs.deletePrefix(blobKeys.videoPrefix(videoId));
    await this.dependencies.videos.setStatus(videoId, 'FAILED', reason);
    await this.videoUpdated(videoId);
  }

  private async videoUpdated(videoId: string): Promise<void> {
    await this.dependencies.events.publish({ type: 'video-updated', videoId });
  }

  private async store(videoId: string, { result, captions }: AnalysedSource): Promise<void> {
    const { bitstream, representation, rate, thumbnails } = result;
    const { blobs, representations, config } = this.dependencies;
    // The archive's keyframe pictures are the thumbnails made from the decoded layer: small, and never more than a rendition shows.
    const keyframes = [];
    let thumbnailBytes = 0;
    for (const thumbnail of thumbnails) {
      const key = blobKeys.keyframe(videoId, thumbnail.frameIndex, thumbnail.format);
      const stored = await blobs.put(key, thumbnail.bytes);
      thumbnailBytes += stored.size;
      keyframes.push({
        frameIndex: thumbnail.frameIndex,
        timeSeconds: representation.keyframes.find((k) => k.frameIndex === thumbnail.frameIndex)?.time ?? 0,
        blobKey: key,
        bytes: stored.size,
        format: thumbnail.format,
        width: thumbnail.width,
        height: thumbnail.height,
      });
    }
    const bitstreamKey = blobKeys.bitstream(videoId);
    await blobs.put(bitstreamKey, bitstream);


    await representations.saveReady(videoId, {
      keyframes,
      clips: representation.clips.map((clip) => ({
        index: clip.index,
        startFrame: clip.startFrame,
        endFrame: clip.endFrame,
        startSeconds: clip.startTime,
        endSeconds: clip.endTime,
      })),
      captions,
      bitstream: { blobKey: bitstreamKey, bytes: bitstream.byteLength, sections: [...rate.sections, thumbnailsLine(thumbnailBytes, rate)] },
      keepSource: config.ingest.keepOriginals,
    });
  }
}

/** What the worker stores for a source: its stream and every caption, embedded. */
export interface AnalysedSource {
  readonly result: EncodeResult;
  readonly captions: readonly StoredCaption[];
}

/** The encode's progress stage (`encodeVideo`) that follows the keyframe layer pass: the transcript starts there. */
const SPEECH_STARTS_AT = 'weights';

/**
 * Everything the encode job computes from the source: the CMVC stream (encoder), the SPEECH
 * transcript and the caption embeddings, timed as stages of one profile (`result.profile`).
 */
export async function analyseSource(
  sourcePath: string,
  media: MediaInfo,
  dependencies: Pick<EncodeDependencies, 'config' | 'mediaIo' | 'analyzers' | 'embedder' | 'speech'>,
  onProgress?: ProgressListener,
): Promise<AnalysedSource> {
  const { config, mediaIo, analyzers, embedder } = dependencies;
  const profile = new EncodeProfile();
  // The transcript (ffmpeg and PocketSphinx, child processes) runs beside the video work from the
  // weights pass on: started with the encode, PocketSphinx (~110 MiB) overlapped the keyframe
  // layer's SVT-AV1 encoders (~165 MiB) at the encode's memory peak.
  const stopSpeech = new AbortController();
  let speech: Promise<TranscriptSegment[]> | undefined;
  const startSpeech = (): Promise<TranscriptSegment[]> => {
    if (!speech) {
      speech = profile.time('speech', () => transcribe(sourcePath, dependencies, stopSpeech.signal));
      speech.catch(() => undefined); // observed below
    }
    return speech;
  };
  const progress: ProgressListener = (event) => {
    if (event.stage === SPEECH_STARTS_AT) startSpeech();
    onProgress?.(event);
  };
  const encoded = await encodeVideo(mediaIo.videoFile(sourcePath), {
      layerCodec: mediaIo.av1LayerCodec,
      describeEverySeconds: config.encode.keyframeIntervalSeconds,
      maxKeyframes: config.encode.maxKeyframes,
      strategy: config.encode.strategy,
      quality: config.encode.quality,
      motionSideChannel: config.encode.motionSideChannel,
      audioKbps: config.encode.audioKbps,
      media,
      profile,
    },
    analyzers,
    progress,
  ).catch((error: unknown) => {
    stopSpeech.abort();
    throw error;
  });
  const captions = captionsOf(encoded.representation, await profile.time('wait for speech', startSpeech));
  const vectors = embedder && captions.length > 0 ? await profile.time('embedding', () => embedder.embed(captions.map((caption) => caption.text))) : [];
  return {
    result: { ...encoded, profile: { stages: profile.stages(), ...profile.total() } },
    captions: captions.map((caption, index) => ({
      ...caption,
      ...(vectors[index] ? { embedding: { model: embedder!.id, vector: vectors[index] } } : {}),
    })),
  };
}

async function transcribe(sourcePath: string, { speech, config, mediaIo }: Pick<EncodeDependencies, 'config' | 'mediaIo' | 'speech'>, signal: AbortSignal): Promise<TranscriptSegment[]> {
  if (!speech) return [];
  const audio = await readSpeechAudio(sourcePath, { tools: mediaIo.tools, maxSeconds: config.speech.maxSeconds, signal });
  return audio ? transcribeSpeech(audio, speech, signal) : [];
}

/** One log line: the encode's wall and CPU time and its slowest stages. */
export function profileSummary({ stages, wallSeconds, cpuSeconds }: EncodeResult['profile']): string {
  const slowest = [...stages].sort((a, b) => b.wallSeconds - a.wallSeconds).slice(0, 6);
  return `${wallSeconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU; ${slowest.map((s) => `${s.stage} ${s.wallSeconds.toFixed(1)} s`).join(', ')}`;
}

/** The thumbnails are kept beside the stream, not in it; the storage stats show them as a line of their own. */
function thumbnailsLine(bytes: number, rate: EncodeResult['rate']): EncodeResult['rate']['sections'][number] {
  const perByte = rate.totalBytes > 0 ? 1 / rate.totalBytes : 0;
  return { kind: 'thumbnails', bytes, bpp: rate.bpp * bytes * perByte, kbps: rate.kbps * bytes * perByte };
}

/** The parts of a representation that captions come from. */
export interface CaptionSource {
  readonly keyframes: readonly { readonly content: string | null }[];
  readonly clips: readonly { readonly index: number; readonly startTime: number; readonly endTime: number; readonly motion: string | null }[];
}

/** The captions a representation and its transcript are stored and searched as. */
export function captionsOf(representation: CaptionSource, speech: readonly TranscriptSegment[]): Omit<StoredCaption, 'embedding'>[] {
  const lastClip = Math.max(0, representation.clips.length - 1);
  return [
    ...representation.keyframes.flatMap((keyframe, index) =>
      keyframe.content ? [{ kind: 'CONTENT' as const, text: keyframe.content, keyframeIndex: index, clipIndex: Math.min(index, lastClip) }] : [],
    ),
    ...representation.clips.flatMap((clip) => (clip.motion ? [{ kind: 'MOTION' as const, text: clip.motion, clipIndex: clip.index }] : [])),
    ...speech.map((segment) => ({
      kind: 'SPEECH' as const,
      text: segment.text,
      clipIndex: clipAt(representation.clips, segment.start),
      startSeconds: segment.start,
      endSeconds: segment.end,
    })),
  ];
}

/** Index of the clip that holds `seconds` (the last one past the end). */
function clipAt(clips: readonly { readonly index: number; readonly startTime: number; readonly endTime: number }[], seconds: number): number {
  return (clips.find((clip) => seconds < clip.endTime) ?? clips[clips.length - 1])?.index ?? 0;
}

/** A source that ffprobe cannot read (not a video, no video stream, damaged) will not get better on retry. */
async function probeSource(mediaIo: MediaIo, path: string): Promise<MediaInfo> {
  try {
    return await mediaIo.probe(path);
  } catch (error) {
    if (error instanceof MediaError && error.code !== 'FFMPEG_UNAVAILABLE' && error.code !== 'ABORTED') {
      throw new UnrecoverableError(`${error.code}: the source is not a readable video (${error.message.replaceAll(path, 'source')})`);
    }
    throw error;
  }
}
