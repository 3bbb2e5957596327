/**
 * `@cmvc/media-io/frames`: the pure part of media I/O (frame and media types, pixel layouts, sizes,
 * frame rates). It spawns nothing and touches no file, so the codec may import it.
 */
export type { RgbFrame, TimedFrame } from './frame.ts';
export { parseRational, toRational, type MediaInfo, type Rational } from './media-info.ts';
export { packYuv444, planarYuv444, yuvToRgb } from './pixels.ts';
export { evenSize, resizeRgb, sizeForWidth, workingSize, type Size } from './resize.ts';
