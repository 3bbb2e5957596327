/**
 * Local copies of the `@cmvc/codec` contracts (packages/codec/src/contracts.ts) that the backends implement.
 * `@cmvc/models` may not import the codec, so these are kept structurally identical: any value typed here
 * is assignable to the codec's type and back. Change them only together with the codec's file.
 */

export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface TimedFrame extends RgbFrame {
  readonly index: number;
  readonly time: number;
}

export interface ImageFeatureExtractor {
  readonly id: string;
  readonly dimensions: number;
  embed(frames: readonly RgbFrame[]): Promise<Float32Array[]>;
}

export interface TextEmbedder {
  readonly id: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

export interface CameraMotion {
  readonly kind: 'static' | 'pan' | 'tilt' | 'zoom';
  readonly dx: number;
  readonly dy: number;
  readonly zoom: number;
}

export interface ContentDescription {
  readonly text: string;
  readonly semantic?: Uint8Array;
}

export interface MotionDescription {
  readonly text: string;
  readonly semantic?: Uint8Array;
  readonly camera: CameraMotion;
}

export interface ClipFrames {
  readonly frames: readonly TimedFrame[];
  readonly fps: number;
}

export interface SceneDescriber {
  readonly id: string;
  describeKeyframe(frame: TimedFrame): Promise<ContentDescription>;
  describeMotion(clip: ClipFrames): Promise<MotionDescription>;
}

export type GenerationMode = 'tt2v' | 'it2v';

export interface GenerationRequest {
  readonly mode: GenerationMode;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameCount: number;
  readonly contentTexts: readonly [string, string];
  readonly motionText: string;
  readonly camera?: CameraMotion;
  readonly keyframes?: readonly [RgbFrame, RgbFrame];
  readonly signal?: AbortSignal;
}

export interface Generator {
  readonly id: string;
  readonly modes: readonly GenerationMode[];
  generateClip(request: GenerationRequest, onProgress?: (fraction: number) => void): Promise<RgbFrame[]>;
}

/** What every backend reports about itself; `health()` never throws and never outlives its timeout. */
export interface BackendHealth {
  readonly ok: boolean;
  readonly latencyMs?: number;
  readonly detail: string;
}

export interface HealthCheckable {
  health(): Promise<BackendHealth>;
}
