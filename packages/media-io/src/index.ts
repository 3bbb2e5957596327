/**
 * @cmvc/media-io: reading and writing media files with ffmpeg/ffprobe (probe, frame decoding,
 * video and AV1 encoding, Opus sound, container sniffing), through `mediaIo(tools)`. The codec
 * never imports this entry point, only the pure `@cmvc/media-io/frames`; callers hand it these
 * tools as ports.
 */
export * from './frames.ts';
export { MediaError, type MediaErrorCode } from './errors.ts';
export { mediaIo, type MediaIo } from './media-io.ts';
export type { VideoHeader } from './header-probe.ts';
export type { PcmAudioOptions } from './pcm-audio.ts';
export { sniffContainer, type ContainerFormat, type ContainerSniff } from './sniff-container.ts';
export type { DecodeOptions } from './decode-frames.ts';
export type { FfmpegSink } from './ffmpeg-process.ts';
export type { VideoEncoderOptions, VideoFormat, VideoSink } from './video-encoder.ts';
export { AV1_MAX_CRF, type Av1LayerSettings, type Av1SegmentEncoder, type Av1SegmentEncoderOptions } from './av1.ts';
export { DEFAULT_MEDIA_TOOLS, runTool, runToolOutput, type MediaTools, type RunToolOptions, type ToolOutput } from './tools.ts';
export type { OutputSpec } from './codec-io.ts';
// For @cmvc/models, which calls them with the `tools` its composition root passes (createModelSet).
export { countVideoPackets } from './header-probe.ts';
export { decodeFrames } from './decode-frames.ts';
export { readPcmAudio } from './pcm-audio.ts';
