/** What a probe tells about a video, and exact frame rates; pure, no I/O. */

export interface Rational {
  readonly num: number;
  readonly den: number;
}

export interface MediaInfo {
  readonly width: number;
  readonly height: number;
  /** Average frame rate as a number, and exactly as the container states it. */
  readonly fps: number;
  readonly fpsRational: Rational;
  /** Exact count of decodable frames. */
  readonly frameCount: number;
  readonly durationSeconds: number;
  readonly codec: string;
  /** Size of the file on disk. */
  readonly bytes: number;
}

export function parseRational(text: string | undefined): Rational | undefined {
  if (!text) return undefined;
  const match = /^(\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const num = Number(match[1]);
  const den = match[2] === undefined ? 1 : Number(match[2]);
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num <= 0 || den <= 0) return undefined;
  return { num, den };
}

/** Exact for integer rates, otherwise the closest fraction with denominator ≤ 1001·1000 (covers NTSC rates exactly). */
export function toRational(rate: number | Rational): Rational {
  if (typeof rate !== 'number') return rate;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`frame rate must be positive, got ${rate}`);
  if (Number.isInteger(rate)) return { num: rate, den: 1 };
  for (const den of [1001, 1000, 1001000]) {
    const num = Math.round(rate * den);
    if (Math.abs(num / den - rate) < 1e-9) return { num, den };
  }
  return { num: Math.round(rate * 1000000), den: 1000000 };
}
