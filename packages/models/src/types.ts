/**
 * Shapes shared by every analyzer in this package. They match `@cmvc/codec`'s contracts
 * structurally, so an analyzer built here can be handed straight to the codec.
 */

export interface RgbFrame { readonly width: number; readonly height: number; readonly data: Uint8Array } // RGB24
export interface Box { readonly x: number; readonly y: number; readonly width: number; readonly height: number } // normalised 0..1, top-left origin
export interface Detection { readonly classId: number; readonly label: string; readonly score: number; readonly box: Box } // COCO 80-class ids 0..79 and English labels
export interface ObjectDetector { readonly id: string; detect(frames: readonly RgbFrame[]): Promise<Detection[][]> }
export interface OcrLine { readonly text: string; readonly score: number; readonly box: Box }
export interface TextReader { readonly id: string; read(frame: RgbFrame): Promise<OcrLine[]> }
export interface ImageFeatureExtractor { readonly id: string; readonly dimensions: number; embed(frames: readonly RgbFrame[]): Promise<Float32Array[]> }
export interface TextEmbedder { readonly id: string; readonly dimensions: number; embed(texts: readonly string[]): Promise<Float32Array[]> }
export interface SuperResolver { readonly id: string; readonly scale: number; upscale(frame: RgbFrame): Promise<RgbFrame> }
export interface Disposable { dispose(): Promise<void> }
