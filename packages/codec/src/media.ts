import type { MediaInfo, Rational, RgbFrame, TimedFrame } from '@cmvc/media-io/frames';

/**
 * The ports through which the codec reads and writes media. The codec spawns nothing and opens no
 * file: the caller passes these in (`@cmvc/media-io` implements them with ffmpeg: `videoFile`,
 * `av1LayerCodec`, `videoFileTarget`, `segmentFiles`), so the codec takes frames and bytes in and
 * gives frames and bytes out.
 */

export interface FrameReadOptions {
  /** Frames are scaled to exactly this size. */
  readonly width: number;
  readonly height: number;
  /** Frame rate that stamps `TimedFrame.time`; frames are never dropped or duplicated. */
  readonly fps: number;
  readonly pixelFormat: 'rgb24' | 'yuv444';
  /** Only the frames whose index this accepts are needed; indices still count every frame. */
  readonly only?: (index: number) => boolean;
  /** The source may yield every frame in one buffer, overwritten when the next is asked for: the caller copies what it keeps. */
  readonly reuseBuffer?: boolean;
  readonly signal?: AbortSignal;
}

/** The video being encoded. The encoder reads it several times (plan, keyframe layer, weights), each time from the start. */
export interface VideoSource {
  /** Names the source in error messages. */
  readonly name: string;
  /** Geometry, rate and exact frame count of the first video stream. */
  probe(signal?: AbortSignal): Promise<MediaInfo>;
  frames(options: FrameReadOptions): AsyncIterable<TimedFrame>;
  /** The first sound track as Ogg Opus at `kbps` (mono, tuned for speech); undefined when there is none. */
  opus(kbps: number, signal?: AbortSignal): Promise<Uint8Array | undefined>;
}

export interface LayerEncoderOptions {
  /** Size of the frames written (packed Y′CbCr 4:4:4). */
  readonly width: number;
  readonly height: number;
  /** Size the sequence is coded at. */
  readonly codedWidth: number;
  readonly codedHeight: number;
  /** Constant-quality level, 0..`LayerCodec.maxCrf`. */
  readonly crf: number;
  /** Encoder preset: lower is slower and smaller. */
  readonly preset: number;
  /** Whether the encoder may look ahead across the sequence (default true); false holds fewer pictures. */
  readonly lookahead?: boolean;
  readonly signal?: AbortSignal;
}

export interface LayerEncoder {
  /** Takes the frame's pixels before the returned promise settles: the caller may reuse its buffer afterwards. */
  write(frame: RgbFrame): Promise<void>;
  /** Ends the sequence and returns its OBUs. */
  close(): Promise<Uint8Array>;
  abort(): void;
}

/** The keyframe layer's AV1 coding (bitstream section 9): one sequence of bare OBUs per run of coded frames. */
export interface LayerCodec {
  readonly maxCrf: number;
  encoder(options: LayerEncoderOptions): LayerEncoder;
  /**
   * Exactly `frameCount` packed Y′CbCr 4:4:4 frames of `width`×`height`, in order, each as soon as it
   * is decoded, decoding only a few frames ahead of the reader. A sequence that does not decode to
   * them fails with an error whose `code` is `INVALID_MEDIA`, at the latest before its last frame.
   * Ending the iteration early stops the decode.
   */
  decode(obus: Uint8Array, width: number, height: number, frameCount: number, signal?: AbortSignal): AsyncIterable<RgbFrame>;
}

export interface VideoOutputSpec {
  /** Size and layout of the frames written. */
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: 'rgb24' | 'yuv444';
  readonly fps: Rational;
  /** Scale to this size on output (rounded down to even); defaults to the frame size. */
  readonly outputWidth?: number;
  readonly outputHeight?: number;
  /** The sound track kept by `keepSound`, and the part of it this output takes (a segment's share). */
  readonly sound?: { readonly location: string; readonly window?: { readonly startSeconds: number; readonly seconds: number } };
  /** Shifts every output timestamp (a segment's start in the stream). */
  readonly timeOffsetSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface FrameSink {
  /** Resolves once the frame is taken (backpressure). */
  write(frame: RgbFrame): Promise<void>;
  /** Finishes the output; resolves to the number of frames written. */
  close(): Promise<number>;
  /** Stops and discards the output: a partial video must not look like a result. */
  abort(): Promise<void>;
}

/** Where a decode writes its video. */
export interface VideoTarget {
  /** Keeps the stream's sound track (Ogg Opus) for the output to mux in; resolves to where it is. */
  keepSound(bytes: Uint8Array): Promise<string>;
  open(spec: VideoOutputSpec): FrameSink;
}

/** Where a segmented decode writes its segments, each made on its own. */
export interface SegmentTarget {
  keepSound(bytes: Uint8Array): Promise<string>;
  /** A sink for segment `index`; once it is closed, the segment is complete at `location`. */
  open(index: number, spec: VideoOutputSpec): FrameSink & { readonly location: string };
}
