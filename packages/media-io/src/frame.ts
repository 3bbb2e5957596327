/**
 * A decoded picture, three bytes per pixel, row-major, no padding: packed RGB24, or, where
 * `pixelFormat` says `yuv444`, the source's Y′CbCr samples (chroma at full resolution). IT2V of
 * version-2 streams reconstructs in Y′CbCr so that keyframe-layer frames reach the output unchanged;
 * analyzers always receive RGB.
 */
export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  readonly pixelFormat?: 'yuv444';
}

/** A frame of a source video, with its position in the source. */
export interface TimedFrame extends RgbFrame {
  readonly index: number;
  /** Seconds from the start of the source. */
  readonly time: number;
}
