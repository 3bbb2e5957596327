/**
 * @cmvc/media-io: reading and writing media files with ffmpeg/ffprobe (probe, frame decoding,
 * video and AV1 encoding, Opus sound, container sniffing). The codec never imports this entry
 * point, only the pure `@cmvc/media-io/frames`; callers hand it these tools as ports.
 */
export * from './frames.ts';
export { MediaError, type MediaErrorCode } from './errors.ts';
export { probe } from './probe.ts';
export { countVideoPackets, probeVideoHeader, type VideoHeader } from './header-probe.ts';
export { readPcmAudio, type PcmAudioOptions } from './pcm-audio.ts';
export { sniffContainer, type ContainerFormat, type ContainerSniff } from './sniff-container.ts';
export { decodeFrames, type DecodeOptions } from './decode-frames.ts';
export { createVideoEncoder, joinSegments, type VideoEncoderOptions, type VideoFormat, type VideoSink } from './video-encoder.ts';
export { AV1_MAX_CRF, createAv1SegmentEncoder, decodeAv1Segment, encodeAv1Segment, type Av1LayerSettings, type Av1SegmentEncoder, type Av1SegmentEncoderOptions } from './av1.ts';
export { encodeOpus } from './audio.ts';
export { configureMediaTools, ffmpegPath, ffprobePath, runTool, runToolOutput, type MediaTools, type RunToolOptions, type ToolOutput } from './tools.ts';
export { av1LayerCodec, segmentFiles, videoFile, videoFileTarget, type OutputSpec } from './codec-io.ts';
