/**
 * Shapes shared by every analyzer in this package. The contracts with the codec come from
 * `@cmvc/codec` itself; the rest are this package's own.
 */
import type { RgbFrame } from '@cmvc/codec';

export type {
  CameraMotion,
  ClipFrames,
  ContentDescription,
  GenerationMode,
  GenerationRequest,
  Generator,
  ImageFeatureExtractor,
  MotionDescription,
  RgbFrame,
  SceneDescriber,
  SemanticTextCodec,
  TextEmbedder,
  TimedFrame,
} from '@cmvc/codec';

export interface Box { readonly x: number; readonly y: number; readonly width: number; readonly height: number } // normalised 0..1, top-left origin
export interface Detection { readonly classId: number; readonly label: string; readonly score: number; readonly box: Box } // COCO 80-class ids 0..79 and English labels
export interface ObjectDetector { readonly id: string; detect(frames: readonly RgbFrame[]): Promise<Detection[][]> }
export interface OcrLine { readonly text: string; readonly score: number; readonly box: Box }
export interface TextReader { readonly id: string; read(frame: RgbFrame): Promise<OcrLine[]> }
export interface SuperResolver { readonly id: string; readonly scale: number; upscale(frame: RgbFrame): Promise<RgbFrame> }
export interface Disposable { dispose(): Promise<void> }
