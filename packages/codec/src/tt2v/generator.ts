import sharp from 'sharp';
import type { CameraMotion, GenerationMode, GenerationRequest, Generator, RgbFrame, TextEmbedder } from '../contracts.ts';
import { CodecError, throwIfAborted } from '../errors.ts';
import { parseMotionText, planCameraPath, type CropWindow } from './camera.ts';
import type { Exemplar, ExemplarLibrary } from './library.ts';

/** TT2V cannot run: no library, or nothing to retrieve. */
export class GenerationUnavailableError extends CodecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GENERATOR_UNAVAILABLE', message, options);
  }
}

export interface RetrievalGeneratorOptions {
  /** Where keyframes of other archived videos come from; without one every request fails with `GenerationUnavailableError`. */
  readonly library?: ExemplarLibrary;
  readonly embedder: TextEmbedder;
  /** The video being decoded: its own keyframes are never used. */
  readonly excludeVideoId?: string;
}

const MAX_SIDE = 7680;
/** Refuse requests whose frames alone would exceed this many bytes. */
const MAX_CLIP_BYTES = 2 ** 30;
/** Upper bound on the enlarged canvas a camera move is cropped from. */
const MAX_CANVAS_PIXELS = 16_000_000;
/** Exemplars asked for per text; more than one so a misbehaving library's excluded hits can be skipped. */
const CANDIDATES = 4;

/**
 * TT2V by retrieval: each content text picks the most similar keyframe of another archived
 * video (text-embedding cosine similarity), and the clip is that picture animated by the
 * clip's camera motion, crossfading from the first text's exemplar to the second's.
 * Deterministic for a given library, embedder and request; never reads the decoded video.
 */
export class RetrievalGenerator implements Generator {
  readonly id = 'retrieval-tt2v';
  readonly modes: readonly GenerationMode[] = ['tt2v'];
  readonly #library: ExemplarLibrary | undefined;
  readonly #embedder: TextEmbedder;
  readonly #excludeVideoId: string | undefined;

  constructor(options: RetrievalGeneratorOptions) {
    this.#library = options.library;
    this.#embedder = options.embedder;
    this.#excludeVideoId = options.excludeVideoId;
  }

  async generateClip(request: GenerationRequest, onProgress?: (fraction: number) => void): Promise<RgbFrame[]> {
    checkRequest(request);
    const library = this.#library;
    if (!library) {
      throw new GenerationUnavailableError('no exemplar library configured: retrieval TT2V composes clips from keyframes of other archived videos');
    }
    throwIfAborted(request.signal);
    const embeddings = await this.#embedder.embed(request.contentTexts);
    if (embeddings.length !== 2) throw new CodecError('GENERATOR_FAILED', `text embedder ${this.#embedder.id} returned ${embeddings.length} vectors for 2 texts`);
    const [first, last] = await Promise.all(embeddings.map((embedding) => this.#retrieve(library, embedding)));
    throwIfAborted(request.signal);

    const camera: CameraMotion = request.camera ?? parseMotionText(request.motionText);
    const path = planCameraPath(camera, request.width, request.height, request.frameCount, request.fps, MAX_CANVAS_PIXELS);
    const firstCanvas = await canvasFor(first!, path.canvasWidth, path.canvasHeight);
    const lastCanvas = last!.image === first!.image ? firstCanvas : await canvasFor(last!, path.canvasWidth, path.canvasHeight);

    const frames: RgbFrame[] = [];
    const canvas = { width: path.canvasWidth, height: path.canvasHeight };
    for (const [f, window] of path.windows.entries()) {
      throwIfAborted(request.signal);
      const fade = request.frameCount > 1 && lastCanvas !== firstCanvas ? f / (request.frameCount - 1) : 0;
      frames.push(renderWindow(firstCanvas, lastCanvas, fade, canvas, window, request.width, request.height));
      onProgress?.((f + 1) / request.frameCount);
    }
    return frames;
  }

  async #retrieve(library: ExemplarLibrary, embedding: Float32Array | undefined): Promise<Exemplar> {
    if (!embedding) throw new CodecError('GENERATOR_FAILED', `text embedder ${this.#embedder.id} returned no vector`);
    const exclude = this.#excludeVideoId;
    const found = await library.nearest(embedding, CANDIDATES, exclude === undefined ? {} : { excludeVideoId: exclude });
    // Filter again: the library is external, and using the video's own pixels would not be TT2V.
    const best = found.find((exemplar) => exemplar.videoId !== exclude);
    if (!best) {
      const other = exclude === undefined ? '' : ` other than ${exclude}`;
      throw new GenerationUnavailableError(`no archived keyframes to retrieve from: the exemplar library has no videos${other}`);
    }
    return best;
  }
}

function checkRequest(request: GenerationRequest): void {
  const { mode, width, height, frameCount, fps } = request;
  if (mode !== 'tt2v') throw new CodecError('INVALID_OPTIONS', `retrieval generator only does tt2v, not ${String(mode)}`);
  const side = (value: number): boolean => Number.isInteger(value) && value >= 2 && value <= MAX_SIDE;
  if (!side(width) || !side(height)) throw new CodecError('INVALID_OPTIONS', `frame size must be 2..${MAX_SIDE} pixels per side, got ${width}x${height}`);
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new CodecError('INVALID_OPTIONS', `frameCount must be a positive integer, got ${frameCount}`);
  if (frameCount * width * height * 3 > MAX_CLIP_BYTES) throw new CodecError('INVALID_OPTIONS', `a clip of ${frameCount} frames at ${width}x${height} is too large to generate at once`);
  if (!Number.isFinite(fps) || fps <= 0) throw new CodecError('INVALID_OPTIONS', `fps must be positive, got ${fps}`);
}

/** The exemplar resized to cover the canvas (centre crop), as RGB24. */
async function canvasFor(exemplar: Exemplar, width: number, height: number): Promise<Uint8Array> {
  const { image } = exemplar;
  try {
    const input =
      image instanceof Uint8Array
        ? sharp(image)
        : sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
    const { data, info } = await input
      .resize(width, height, { fit: 'cover', position: 'centre' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== width || info.height !== height) {
      throw new Error(`expected ${width}x${height}x3, got ${info.width}x${info.height}x${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (error) {
    throw new CodecError('GENERATOR_FAILED', `could not decode the exemplar keyframe of video ${exemplar.videoId}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Bilinear resampling of `window` of the canvas to width × height, blending the two
 * exemplar canvases as (1 − fade)·first + fade·last.
 */
function renderWindow(
  first: Uint8Array,
  last: Uint8Array,
  fade: number,
  canvas: { readonly width: number; readonly height: number },
  window: CropWindow,
  width: number,
  height: number,
): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  const stepX = window.width / width;
  const stepY = window.height / height;
  const maxX = canvas.width - 1;
  const maxY = canvas.height - 1;
  const keep = 1 - fade;
  for (let v = 0; v < height; v += 1) {
    const sy = Math.min(maxY, Math.max(0, window.y + (v + 0.5) * stepY - 0.5));
    const y0 = Math.min(sy | 0, Math.max(0, maxY - 1));
    const y1 = Math.min(y0 + 1, maxY);
    const fy = sy - y0;
    for (let u = 0; u < width; u += 1) {
      const sx = Math.min(maxX, Math.max(0, window.x + (u + 0.5) * stepX - 0.5));
      const x0 = Math.min(sx | 0, Math.max(0, maxX - 1));
      const x1 = Math.min(x0 + 1, maxX);
      const fx = sx - x0;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const p00 = (y0 * canvas.width + x0) * 3;
      const p01 = (y0 * canvas.width + x1) * 3;
      const p10 = (y1 * canvas.width + x0) * 3;
      const p11 = (y1 * canvas.width + x1) * 3;
      const o = (v * width + u) * 3;
      for (let c = 0; c < 3; c += 1) {
        const a = w00 * first[p00 + c]! + w01 * first[p01 + c]! + w10 * first[p10 + c]! + w11 * first[p11 + c]!;
        const b = fade > 0 ? w00 * last[p00 + c]! + w01 * last[p01 + c]! + w10 * last[p10 + c]! + w11 * last[p11 + c]! : 0;
        data[o + c] = (keep * a + fade * b + 0.5) | 0;
      }
    }
  }
  return { width, height, data };
}
