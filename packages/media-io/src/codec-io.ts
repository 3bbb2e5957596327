import { rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { encodeOpus } from './audio.ts';
import { AV1_MAX_CRF, createAv1SegmentEncoder, decodeAv1Segment, type Av1SegmentEncoderOptions } from './av1.ts';
import { decodeFrames, type DecodeOptions } from './decode-frames.ts';
import { probe } from './probe.ts';
import type { MediaTools } from './tools.ts';
import { createVideoEncoder, type VideoEncoderOptions, type VideoFormat } from './video-encoder.ts';

/**
 * The codec's media ports (see packages/codec/src/media.ts), implemented with ffmpeg on files:
 * a source video file, the keyframe layer's AV1 coding, a video file and a folder of HLS segments
 * as outputs.
 */

/** A video file to encode: probed, decoded (once per pass) and its sound coded as Opus, all by ffmpeg. */
export function videoFile(tools: MediaTools, path: string) {
  return {
    name: path,
    probe: (signal?: AbortSignal) => probe(tools, path, signal),
    frames: (options: Omit<DecodeOptions, 'tools'>) => decodeFrames(path, { ...options, tools }),
    opus: (kbps: number, signal?: AbortSignal) => encodeOpus(tools, path, kbps, signal),
  };
}

/** SVT-AV1 (libaom-av1 for tiny frames) to code the keyframe layer, libdav1d to decode it, both run from `tools`. */
export function av1LayerCodec(tools: MediaTools) {
  return {
    maxCrf: AV1_MAX_CRF,
    encoder: (options: Av1SegmentEncoderOptions) => createAv1SegmentEncoder(tools, options),
    decode: (obus: Uint8Array, width: number, height: number, frameCount: number, signal?: AbortSignal) => decodeAv1Segment(tools, obus, width, height, frameCount, signal),
  };
}

/** What the codec asks of an output; the sound is a file `keepSound` wrote. */
export type OutputSpec = Omit<VideoEncoderOptions, 'format' | 'audioPath' | 'audioWindow'> & {
  readonly sound?: { readonly location: string; readonly window?: VideoEncoderOptions['audioWindow'] };
};

function encoderOptions(spec: OutputSpec, format: VideoFormat): VideoEncoderOptions {
  const { sound, ...rest } = spec;
  // Raw y4m has no room for sound.
  const audio = sound && format !== 'y4m' ? { audioPath: sound.location, ...(sound.window ? { audioWindow: sound.window } : {}) } : {};
  return { ...rest, ...audio, format };
}

function formatOf(path: string): VideoFormat {
  const extension = extname(path).toLowerCase();
  return extension === '.webm' ? 'webm' : extension === '.ts' ? 'ts' : extension === '.y4m' ? 'y4m' : 'mp4';
}

/**
 * A decode's video file; the container by default from the extension (.webm, .ts, .y4m, else mp4).
 * The sound track waits beside it (`<path>.sound.ogg`) until the file is done; an aborted decode
 * leaves no file behind.
 */
export function videoFileTarget(tools: MediaTools, path: string, format: VideoFormat = formatOf(path)) {
  const soundPath = `${path}.sound.ogg`;
  const dropSound = (): Promise<void> => rm(soundPath, { force: true }).catch(() => undefined);
  return {
    async keepSound(bytes: Uint8Array): Promise<string> {
      await writeFile(soundPath, bytes);
      return soundPath;
    },
    open(spec: OutputSpec) {
      const sink = createVideoEncoder(tools, path, encoderOptions(spec, format));
      return {
        write: sink.write,
        async close(): Promise<number> {
          try {
            return await sink.close();
          } finally {
            await dropSound();
          }
        },
        async abort(): Promise<void> {
          sink.abort();
          await rm(path, { force: true }).catch(() => undefined);
          await dropSound();
        },
      };
    },
  };
}

/** A folder of HLS segments (`segment-<index>.ts`) and the sound track they share (`sound.ogg`). */
export function segmentFiles(tools: MediaTools, dir: string) {
  return {
    async keepSound(bytes: Uint8Array): Promise<string> {
      const soundPath = join(dir, 'sound.ogg');
      await writeFile(soundPath, bytes);
      return soundPath;
    },
    open(index: number, spec: OutputSpec) {
      const location = join(dir, `segment-${index}.ts`);
      const sink = createVideoEncoder(tools, location, encoderOptions(spec, 'ts'));
      return {
        location,
        write: sink.write,
        close: sink.close,
        async abort(): Promise<void> {
          sink.abort();
          await rm(location, { force: true });
        },
      };
    },
  };
}
