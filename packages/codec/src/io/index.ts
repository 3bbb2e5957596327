export { MediaError, type MediaErrorCode } from './errors.ts';
export { probe, parseRational, toRational, type MediaInfo, type Rational } from './probe.ts';
export { sniffContainer, type ContainerFormat, type ContainerSniff } from './sniff-container.ts';
export { decodeFrames, type DecodeOptions } from './decode-frames.ts';
export { createVideoEncoder, joinSegments, type VideoEncoderOptions, type VideoFormat, type VideoSink } from './video-encoder.ts';
export { resizeRgb, workingSize, evenSize, sizeForWidth, type Size } from './resize.ts';
export { configureMediaTools, ffmpegPath, ffprobePath, runToolOutput, type MediaTools, type RunToolOptions, type ToolOutput } from './tools.ts';
