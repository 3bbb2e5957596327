import { EvalError } from '../errors.ts';

/**
 * Monotone piecewise cubic Hermite interpolation (Fritsch–Carlson, as scipy's PchipInterpolator):
 * slopes are weighted harmonic means of neighbouring secants, zero at local extrema.
 */
export class Pchip {
  readonly #x: readonly number[];
  readonly #y: readonly number[];
  readonly #d: readonly number[];

  constructor(x: readonly number[], y: readonly number[]) {
    if (x.length !== y.length || x.length < 2) throw new EvalError('INVALID_OPTIONS', 'PCHIP needs at least two points with one y per x');
    for (let i = 1; i < x.length; i += 1) {
      if (!(x[i]! > x[i - 1]!)) throw new EvalError('INVALID_OPTIONS', 'PCHIP x values must be strictly increasing');
    }
    if ([...x, ...y].some((v) => !Number.isFinite(v))) throw new EvalError('INVALID_OPTIONS', 'PCHIP points must be finite');
    this.#x = x;
    this.#y = y;
    this.#d = slopes(x, y);
  }

  get domain(): readonly [number, number] {
    return [this.#x[0]!, this.#x[this.#x.length - 1]!];
  }

  /** Value at `at` (within the domain). */
  evaluate(at: number): number {
    const k = this.#segment(at);
    const { c0, c1, c2, c3, x0 } = this.#coefficients(k);
    const t = at - x0;
    return c0 + t * (c1 + t * (c2 + t * c3));
  }

  /** Exact integral over [a, b] (a ≤ b, both within the domain). */
  integrate(a: number, b: number): number {
    const [lo, hi] = this.domain;
    if (!(a >= lo && b <= hi && a <= b)) throw new EvalError('INVALID_OPTIONS', `integration range [${a}, ${b}] is outside [${lo}, ${hi}]`);
    let total = 0;
    for (let k = 0; k < this.#x.length - 1; k += 1) {
      const from = Math.max(a, this.#x[k]!);
      const to = Math.min(b, this.#x[k + 1]!);
      if (to <= from) continue;
      const { c0, c1, c2, c3, x0 } = this.#coefficients(k);
      const antiderivative = (t: number): number => t * (c0 + t * (c1 / 2 + t * (c2 / 3 + (t * c3) / 4)));
      total += antiderivative(to - x0) - antiderivative(from - x0);
    }
    return total;
  }

  #segment(at: number): number {
    let k = 0;
    while (k < this.#x.length - 2 && at > this.#x[k + 1]!) k += 1;
    return k;
  }

  /** Power-form coefficients of segment k in t = x − x_k. */
  #coefficients(k: number): { c0: number; c1: number; c2: number; c3: number; x0: number } {
    const x0 = this.#x[k]!;
    const h = this.#x[k + 1]! - x0;
    const y0 = this.#y[k]!;
    const secant = (this.#y[k + 1]! - y0) / h;
    const d0 = this.#d[k]!;
    const d1 = this.#d[k + 1]!;
    return { x0, c0: y0, c1: d0, c2: (3 * secant - 2 * d0 - d1) / h, c3: (d0 + d1 - 2 * secant) / (h * h) };
  }
}

function slopes(x: readonly number[], y: readonly number[]): number[] {
  const n = x.length;
  const h = Array.from({ length: n - 1 }, (_, k) => x[k + 1]! - x[k]!);
  const delta = h.map((hk, k) => (y[k + 1]! - y[k]!) / hk);
  if (n === 2) return [delta[0]!, delta[0]!];
  const d = new Array<number>(n).fill(0);
  for (let k = 1; k < n - 1; k += 1) {
    const a = delta[k - 1]!;
    const b = delta[k]!;
    if (a === 0 || b === 0 || Math.sign(a) !== Math.sign(b)) continue;
    const w1 = 2 * h[k]! + h[k - 1]!;
    const w2 = h[k]! + 2 * h[k - 1]!;
    d[k] = (w1 + w2) / (w1 / a + w2 / b);
  }
  d[0] = endSlope(h[0]!, h[1]!, delta[0]!, delta[1]!);
  d[n - 1] = endSlope(h[n - 2]!, h[n - 3]!, delta[n - 2]!, delta[n - 3]!);
  return d;
}

/** scipy's one-sided three-point end condition, kept shape-preserving. */
function endSlope(h0: number, h1: number, m0: number, m1: number): number {
  const d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (Math.sign(d) !== Math.sign(m0)) return 0;
  if (Math.sign(m0) !== Math.sign(m1) && Math.abs(d) > Math.abs(3 * m0)) return 3 * m0;
  return d;
}
