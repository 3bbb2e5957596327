import { encodeOpus } from './audio.ts';
import { av1LayerCodec, segmentFiles, videoFile, videoFileTarget } from './codec-io.ts';
import { decodeFrames, type DecodeOptions } from './decode-frames.ts';
import { countVideoPackets, probeVideoHeader } from './header-probe.ts';
import { readPcmAudio, type PcmAudioOptions } from './pcm-audio.ts';
import { probe } from './probe.ts';
import { DEFAULT_MEDIA_TOOLS, type MediaTools } from './tools.ts';
import { createVideoEncoder, joinSegments, type VideoEncoderOptions, type VideoFormat } from './video-encoder.ts';

/**
 * Everything this package does with ffmpeg/ffprobe, bound to one pair of binaries. Each composition
 * root (worker, API, CLIs, evaluation, scripts) builds it once from its configuration's `ffmpeg`
 * and hands it to whoever spawns; tests build it from the test configuration or the defaults.
 */
export function mediaIo(tools: MediaTools = DEFAULT_MEDIA_TOOLS) {
  const bound = { ...tools };
  return {
    tools: bound,
    probe: (path: string, signal?: AbortSignal) => probe(bound, path, signal),
    probeVideoHeader: (path: string, options: { readonly signal?: AbortSignal } = {}) => probeVideoHeader(path, { ...options, tools: bound }),
    countVideoPackets: (path: string, options: { readonly signal?: AbortSignal } = {}) => countVideoPackets(path, { ...options, tools: bound }),
    readPcmAudio: (path: string, options: Omit<PcmAudioOptions, 'tools'>) => readPcmAudio(path, { ...options, tools: bound }),
    decodeFrames: (path: string, options: Omit<DecodeOptions, 'tools'>) => decodeFrames(path, { ...options, tools: bound }),
    encodeOpus: (path: string, kbps: number, signal?: AbortSignal) => encodeOpus(bound, path, kbps, signal),
    createVideoEncoder: (outPath: string, options: VideoEncoderOptions) => createVideoEncoder(bound, outPath, options),
    joinSegments: (segmentPaths: readonly string[], outPath: string, format: 'mp4' | 'webm', options: { audioPath?: string; signal?: AbortSignal } = {}) =>
      joinSegments(bound, segmentPaths, outPath, format, options),
    /** The codec's media ports (packages/codec/src/media.ts). */
    videoFile: (path: string) => videoFile(bound, path),
    videoFileTarget: (path: string, format?: VideoFormat) => videoFileTarget(bound, path, format),
    segmentFiles: (dir: string) => segmentFiles(bound, dir),
    av1LayerCodec: av1LayerCodec(bound),
  };
}

export type MediaIo = ReturnType<typeof mediaIo>;
