import { blockCentre, type BlockFlow } from './blocks.ts';

/**
 * Global motion between two frames as a similarity transform about the image centre, in pixels:
 * a point (x, y) measured from the centre moves by
 *   u = tx + a·x − b·y,   v = ty + b·x + a·y
 * so `1 + a` is the scale change and `b` the small-angle rotation.
 */
export interface SimilarityMotion {
  readonly tx: number;
  readonly ty: number;
  readonly a: number;
  readonly b: number;
}

/**
 * When textured blocks cover less than this fraction of the frame (a flat backdrop), the fit uses
 * every block: flat areas show no flow, and "the camera is still" is then the simplest explanation.
 */
const MIN_TEXTURED_FRACTION = 0.25;
/** Each refit keeps this fraction of the previous samples with the smallest residuals. */
const KEEP_FRACTION = 0.6;
const REFITS = 3;

interface Sample {
  readonly x: number;
  readonly y: number;
  readonly u: number;
  readonly v: number;
}

function fit(samples: readonly Sample[]): SimilarityMotion {
  let mx = 0;
  let my = 0;
  let mu = 0;
  let mv = 0;
  for (const s of samples) {
    mx += s.x;
    my += s.y;
    mu += s.u;
    mv += s.v;
  }
  const n = Math.max(1, samples.length);
  mx /= n;
  my /= n;
  mu /= n;
  mv /= n;
  let spread = 0;
  let radial = 0;
  let rotational = 0;
  for (const s of samples) {
    const x = s.x - mx;
    const y = s.y - my;
    const u = s.u - mu;
    const v = s.v - mv;
    spread += x * x + y * y;
    radial += x * u + y * v;
    rotational += x * v - y * u;
  }
  const a = spread > 0 ? radial / spread : 0;
  const b = spread > 0 ? rotational / spread : 0;
  return { a, b, tx: mu - a * mx + b * my, ty: mv - b * mx - a * my };
}

export function residualAt(model: SimilarityMotion, x: number, y: number, u: number, v: number): [number, number] {
  return [u - (model.tx + model.a * x - model.b * y), v - (model.ty + model.b * x + model.a * y)];
}

/**
 * Least-squares similarity fit on the textured blocks' flow, refitted on the best-fitting 60%
 * three times so that moving objects do not pull the camera estimate.
 */
export function fitCameraMotion(blocks: BlockFlow): SimilarityMotion {
  const all: Sample[] = [];
  const textured: Sample[] = [];
  for (let by = 0; by < blocks.rows; by += 1) {
    for (let bx = 0; bx < blocks.cols; bx += 1) {
      const k = by * blocks.cols + bx;
      const { x, y } = blockCentre(blocks, bx, by);
      const sample = { x, y, u: blocks.u[k] ?? 0, v: blocks.v[k] ?? 0 };
      all.push(sample);
      if (blocks.textured[k]) textured.push(sample);
    }
  }
  let samples = textured.length >= Math.max(8, all.length * MIN_TEXTURED_FRACTION) ? textured : all;
  let model = fit(samples);
  for (let round = 0; round < REFITS && samples.length > 8; round += 1) {
    const current = model;
    const scored = samples.map((s) => {
      const [ru, rv] = residualAt(current, s.x, s.y, s.u, s.v);
      return { s, error: ru * ru + rv * rv };
    });
    scored.sort((p, q) => p.error - q.error);
    samples = scored.slice(0, Math.max(8, Math.floor(scored.length * KEEP_FRACTION))).map((p) => p.s);
    model = fit(samples);
  }
  return model;
}
