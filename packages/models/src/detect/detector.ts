import type { Detection, Disposable, ObjectDetector, RgbFrame } from '../types.ts';
import { ModelError } from '../runtime/errors.ts';
import { FrameResults, RECENT_FRAMES, resultsPerFrame } from '../runtime/frame-results.ts';
import { humanModelFile } from '../runtime/paths.ts';
import { sharedModel } from '../runtime/shared.ts';
import { loadOnnxGraphModel } from '../runtime/onnx-graph.ts';
import { ReusedInput, resizeBilinearRgb } from '../runtime/resize.ts';
import { framesToBatch } from '../runtime/tensors.ts';
import { loadGraphModelFromDisk, loadTf, type GraphModel, type Tf } from '../runtime/tf.ts';
import { centernetRows, decodeCenternet, decodeNanodet, nonMaxSuppression, type NanodetLevel } from './decode.ts';
import { cocoLabels } from './labels.ts';

type Tensor = import('@tensorflow/tfjs').Tensor;

export type DetectorModelName = 'centernet' | 'nanodet';

export interface DetectorOptions {
  readonly model?: DetectorModelName;
  /** Minimum class score kept (0..1). */
  readonly scoreThreshold?: number;
  /** Boxes of one class overlapping more than this are merged by NMS. */
  readonly iouThreshold?: number;
  readonly maxDetections?: number;
}

/** A loaded detector: runs on one frame and decodes candidates above the threshold. */
interface DetectorRunner {
  run(frame: RgbFrame, scoreThreshold: number): Promise<Detection[]>;
  dispose(): Promise<void>;
}

interface DetectorSpec {
  load(): Promise<DetectorRunner>;
}

const NANODET_BGR_MEAN = [103.53, 116.28, 123.675];
const NANODET_BGR_STD = [57.375, 57.12, 58.395];
const CENTERNET_SIZE = 512;
const CENTERNET_HEATMAP = 'tower_0/keypoints';
const CENTERNET_SIZES = 'tower_0/wh';
/** The graph's TopK: at most this many peaks become candidate boxes. */
const CENTERNET_CANDIDATES = 100;

// The human-models graphs take a batch of exactly one; the stretch to a square matches how they were used upstream.
const detectorSpecs: Record<DetectorModelName, DetectorSpec> = {
  centernet: {
    // Converted to ONNX from the model's own weights (MobileNetV3 trunk and heads); the graph's
    // decoding tail (peak test, top-k, box gathers) is centernetRows.
    async load() {
      const model = await loadOnnxGraphModel(humanModelFile('centernet.json'), {
        input: 'tower_0/images',
        inputShape: [1, CENTERNET_SIZE, CENTERNET_SIZE, 3],
        outputs: [CENTERNET_HEATMAP, CENTERNET_SIZES],
      });
      const input = new ReusedInput();
      return {
        async run(frame, scoreThreshold) {
          const heads = await input.use(CENTERNET_SIZE * CENTERNET_SIZE * 3, (pixels) => resizeBilinearRgb(frame, CENTERNET_SIZE, CENTERNET_SIZE, { output: pixels }), (pixels) => model.run(pixels));
          const rows = centernetRows(
            { keypoints: heads[CENTERNET_HEATMAP]!, wh: heads[CENTERNET_SIZES]!, grid: CENTERNET_SIZE / 4, classes: cocoLabels.length, stride: 4 },
            CENTERNET_CANDIDATES,
            scoreThreshold,
          );
          return decodeCenternet(rows, CENTERNET_SIZE, scoreThreshold);
        },
        dispose: () => model.dispose(),
      };
    },
  },
  nanodet: {
    async load() {
      const model = await loadGraphModelFromDisk(humanModelFile('nanodet.json'));
      return { run: async (frame, scoreThreshold) => runNanodet(await loadTf(), model, frame, scoreThreshold), dispose: async () => model.dispose() };
    },
  },
};

async function runNanodet(tf: Tf, model: GraphModel, frame: RgbFrame, scoreThreshold: number): Promise<Detection[]> {
  // NanoDet's own preprocessing (BGR, per-channel mean/std). Human's plain /255 scores markedly worse
  // on real footage (bottles read as vases, people missed), so this follows the original training setup.
  const input = tf.tidy(() =>
    framesToBatch(tf, [frame], 416, 416).reverse(3).sub(NANODET_BGR_MEAN).div(NANODET_BGR_STD).transpose([0, 3, 1, 2]),
  );
  const outputs = model.execute(input) as Tensor[];
  input.dispose();
  try {
    const levels: NanodetLevel[] = [];
    for (const gridSize of [52, 26, 13]) {
      const cells = gridSize * gridSize;
      const scores = outputs.find((t) => t.shape[1] === cells && t.shape[2] === 80);
      const regression = outputs.find((t) => t.shape[1] === cells && t.shape[2] !== 80);
      if (!scores || !regression) throw new ModelError('inference-failed', `nanodet: no outputs for the ${gridSize}x${gridSize} grid`);
      levels.push({
        gridSize,
        stride: 416 / gridSize,
        scores: (await scores.data()) as Float32Array,
        regression: (await regression.data()) as Float32Array,
      });
    }
    return decodeNanodet(levels, 416, scoreThreshold);
  } finally {
    tf.dispose(outputs);
  }
}

function checkUnitInterval(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new ModelError('invalid-config', `${name} must be within 0..1 (got ${value})`);
  return value;
}

class HumanModelsDetector implements ObjectDetector, Disposable {
  readonly id: string;
  readonly #spec: DetectorSpec;
  readonly #scoreThreshold: number;
  readonly #iouThreshold: number;
  readonly #maxDetections: number;
  readonly #model;
  readonly #recent = new FrameResults<Detection[]>(RECENT_FRAMES);

  constructor(name: DetectorModelName, options: DetectorOptions) {
    this.id = name;
    this.#spec = detectorSpecs[name];
    this.#scoreThreshold = checkUnitInterval('scoreThreshold', options.scoreThreshold ?? 0.3);
    this.#iouThreshold = checkUnitInterval('iouThreshold', options.iouThreshold ?? 0.5);
    this.#maxDetections = options.maxDetections ?? 20;
    if (!Number.isInteger(this.#maxDetections) || this.#maxDetections < 1) throw new ModelError('invalid-config', 'maxDetections must be a positive integer');
    this.#model = sharedModel(`detect:${name}`, () => this.#spec.load(), (model) => model.dispose());
  }

  detect(frames: readonly RgbFrame[]): Promise<Detection[][]> {
    return resultsPerFrame(frames, this.#recent, this.#model, async (model, frame) =>
      nonMaxSuppression(await model.run(frame, this.#scoreThreshold), this.#iouThreshold, this.#maxDetections),
    );
  }

  dispose(): Promise<void> {
    return this.#model.release();
  }
}

export function createObjectDetector(options: DetectorOptions = {}): ObjectDetector & Disposable {
  const name = options.model ?? 'centernet';
  if (!(name in detectorSpecs)) throw new ModelError('invalid-config', `unknown detector "${String(name)}"`);
  return new HumanModelsDetector(name, options);
}
