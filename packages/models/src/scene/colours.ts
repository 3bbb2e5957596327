import type { RgbFrame } from '../types.ts';
import { assertRgbFrame } from '../runtime/frame.ts';

/** The fixed palette colour names are drawn from; the index is the structured-form code. */
export const PALETTE = ['black', 'gray', 'white', 'red', 'orange', 'brown', 'yellow', 'green', 'cyan', 'blue', 'purple', 'pink'] as const;
export type ColourName = (typeof PALETTE)[number];

export type Brightness = 'dark' | 'dim' | 'well-lit' | 'bright';
export type Contrast = 'low' | 'normal' | 'high';
export type Colourfulness = 'muted' | 'normal' | 'colorful';
export const BRIGHTNESS_LEVELS: readonly Brightness[] = ['dark', 'dim', 'well-lit', 'bright'];
export const CONTRAST_LEVELS: readonly Contrast[] = ['low', 'normal', 'high'];
export const COLOURFULNESS_LEVELS: readonly Colourfulness[] = ['muted', 'normal', 'colorful'];

/**
 * Word thresholds (8-bit scale). Brightness is the mean of ½·luma + ½·HSV value, so a saturated
 * red frame is not called dim just because its luma is low: < 50 dark, < 100 dim, < 175 well-lit,
 * else bright. Contrast is the luma standard deviation: < 20 low, > 70 high. Colourfulness is the
 * Hasler–Süsstrunk metric: < 15 muted, > 60 colorful. A colour is named if it covers at least
 * `minColourShare` of the sampled pixels; at most two are named.
 */
export const SCENE_THRESHOLDS = {
  dark: 50,
  dim: 100,
  wellLit: 175,
  lowContrast: 20,
  highContrast: 70,
  muted: 15,
  colourful: 60,
  minColourShare: 0.2,
} as const;

export interface SceneStatistics {
  readonly brightness: Brightness;
  readonly contrast: Contrast;
  readonly colourfulness: Colourfulness;
  /** One or two palette colours, most common first. */
  readonly colours: readonly ColourName[];
  /** Share of sampled pixels per palette entry (same order as PALETTE). */
  readonly shares: readonly number[];
  readonly meanLuma: number;
}

/** Names one pixel with the palette, from HSV (h in degrees, s and v in 0..1). */
export function nameColour(r: number, g: number, b: number): ColourName {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const s = max === 0 ? 0 : (max - min) / max;
  if (v < 0.18) return 'black';
  if (s < 0.18 || max - min < 20) return v > 0.82 ? 'white' : 'gray';
  let h: number;
  if (max === r) h = (60 * ((g - b) / (max - min)) + 360) % 360;
  else if (max === g) h = 60 * ((b - r) / (max - min)) + 120;
  else h = 60 * ((r - g) / (max - min)) + 240;
  if (h < 15 || h >= 345) return v < 0.45 ? 'brown' : 'red';
  if (h < 45) return v < 0.6 ? 'brown' : 'orange';
  if (h < 70) return 'yellow';
  if (h < 165) return 'green';
  if (h < 195) return 'cyan';
  if (h < 255) return 'blue';
  if (h < 290) return 'purple';
  return 'pink';
}

/** Pixels sampled per frame at most (a regular stride keeps this bounded for any frame size). */
const MAX_SAMPLES = 40_000;

export function analyseScene(frame: RgbFrame): SceneStatistics {
  assertRgbFrame(frame);
  const pixels = frame.width * frame.height;
  const stride = Math.max(1, Math.floor(pixels / MAX_SAMPLES));
  const counts = new Array<number>(PALETTE.length).fill(0);
  const index = new Map<ColourName, number>(PALETTE.map((name, i) => [name, i]));
  let n = 0;
  let light = 0;
  let luma = 0;
  let lumaSquared = 0;
  let rg = 0;
  let rgSquared = 0;
  let yb = 0;
  let ybSquared = 0;
  for (let p = 0; p < pixels; p += stride) {
    const r = frame.data[3 * p] ?? 0;
    const g = frame.data[3 * p + 1] ?? 0;
    const b = frame.data[3 * p + 2] ?? 0;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    n += 1;
    luma += y;
    lumaSquared += y * y;
    light += 0.5 * y + 0.5 * Math.max(r, g, b);
    const dRg = r - g;
    const dYb = 0.5 * (r + g) - b;
    rg += dRg;
    rgSquared += dRg * dRg;
    yb += dYb;
    ybSquared += dYb * dYb;
    const slot = index.get(nameColour(r, g, b)) ?? 0;
    counts[slot] = (counts[slot] ?? 0) + 1;
  }
  const mean = luma / n;
  const deviation = Math.sqrt(Math.max(0, lumaSquared / n - mean * mean));
  const rgMean = rg / n;
  const ybMean = yb / n;
  const rgStd = Math.sqrt(Math.max(0, rgSquared / n - rgMean * rgMean));
  const ybStd = Math.sqrt(Math.max(0, ybSquared / n - ybMean * ybMean));
  const colourfulnessMetric = Math.hypot(rgStd, ybStd) + 0.3 * Math.hypot(rgMean, ybMean);
  const lightness = light / n;
  const t = SCENE_THRESHOLDS;
  const shares = counts.map((count) => count / n);
  const ranked = PALETTE.map((name, i) => ({ name, share: shares[i] ?? 0 }))
    .filter((entry) => entry.share >= t.minColourShare)
    .sort((a, b) => b.share - a.share || PALETTE.indexOf(a.name) - PALETTE.indexOf(b.name));
  const colours = ranked.length > 0 ? ranked.slice(0, 2).map((entry) => entry.name) : [dominant(shares)];
  return {
    brightness: lightness < t.dark ? 'dark' : lightness < t.dim ? 'dim' : lightness < t.wellLit ? 'well-lit' : 'bright',
    contrast: deviation < t.lowContrast ? 'low' : deviation > t.highContrast ? 'high' : 'normal',
    colourfulness: colourfulnessMetric < t.muted ? 'muted' : colourfulnessMetric > t.colourful ? 'colorful' : 'normal',
    colours,
    shares,
    meanLuma: mean,
  };
}

function dominant(shares: readonly number[]): ColourName {
  let best = 0;
  shares.forEach((share, i) => {
    if (share > (shares[best] ?? 0)) best = i;
  });
  return PALETTE[best] ?? 'gray';
}
