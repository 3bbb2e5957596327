import type { Box, RgbFrame } from '../types.ts';
import { nameColour, type ColourName } from './colours.ts';

/** A plain background: most of the frame one tone. */
export const SURFACES = ['dark', 'light', 'plain'] as const;
export type Surface = (typeof SURFACES)[number];
export const THING_SIZES = ['small', 'large'] as const;
export type ThingSize = (typeof THING_SIZES)[number];
export const THING_SHAPES = ['elongated', 'compact'] as const;
export type ThingShape = (typeof THING_SHAPES)[number];

/** Something on a plain surface that the detector did not name. */
export interface Thing {
  readonly box: Box;
  readonly size: ThingSize;
  readonly shape: ThingShape;
  readonly colour: ColourName | null;
}

export interface PlainSurface {
  readonly surface: Surface;
  /** Largest first. */
  readonly things: readonly Thing[];
}

/**
 * Thresholds on a grid of luma samples (0..255): the surface is the median tone and must cover
 * `minSurfaceShare` of the frame within `surfaceTolerance`; a sample at least `foregroundContrast`
 * away from it is foreground. A thing covers `minThingShare`..`maxThingShare` of the frame; below
 * `smallShare` it is small; its box is elongated when one side (in pixels) is `elongation` times the other.
 */
export const THING_THRESHOLDS = {
  gridWidth: 96,
  surfaceTolerance: 30,
  minSurfaceShare: 0.7,
  foregroundContrast: 45,
  minThingShare: 0.003,
  maxThingShare: 0.25,
  smallShare: 0.05,
  elongation: 2.5,
  darkLuma: 120,
  lightLuma: 170,
  maxThings: 2,
} as const;

const luma = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * Finds a plain surface (most of the frame within one tone) and the distinct things lying on it,
 * from a coarse luma grid: the evidence for "a small gray elongated object on a dark surface" when
 * no detector class fits. Null when the background is not plain.
 */
export function plainSurface(frame: RgbFrame): PlainSurface | null {
  const t = THING_THRESHOLDS;
  const columns = Math.min(t.gridWidth, frame.width);
  const rows = Math.max(1, Math.round((columns * frame.height) / frame.width));
  const tones = new Float32Array(columns * rows);
  const colours: [number, number, number][] = [];
  for (let row = 0; row < rows; row += 1) {
    const y = Math.min(frame.height - 1, Math.floor(((row + 0.5) * frame.height) / rows));
    for (let column = 0; column < columns; column += 1) {
      const x = Math.min(frame.width - 1, Math.floor(((column + 0.5) * frame.width) / columns));
      const p = 3 * (y * frame.width + x);
      const rgb: [number, number, number] = [frame.data[p]!, frame.data[p + 1]!, frame.data[p + 2]!];
      colours.push(rgb);
      tones[row * columns + column] = luma(...rgb);
    }
  }
  const median = [...tones].sort((a, b) => a - b)[tones.length >> 1]!;
  const onSurface = tones.filter((tone) => Math.abs(tone - median) <= t.surfaceTolerance).length;
  if (onSurface < t.minSurfaceShare * tones.length) return null;
  const surface: Surface = median < t.darkLuma ? 'dark' : median > t.lightLuma ? 'light' : 'plain';

  const foreground = tones.map((tone) => (Math.abs(tone - median) >= t.foregroundContrast ? 1 : 0));
  const label = new Int32Array(tones.length).fill(-1);
  const things: (Thing & { share: number })[] = [];
  for (let start = 0; start < tones.length; start += 1) {
    if (!foreground[start] || label[start]! >= 0) continue;
    // Flood fill (4-neighbours) of one foreground component.
    const stack = [start];
    label[start] = start;
    let count = 0;
    let [left, right, top, bottom] = [columns, -1, rows, -1];
    const sum = [0, 0, 0];
    while (stack.length > 0) {
      const at = stack.pop()!;
      const column = at % columns;
      const row = (at - column) / columns;
      count += 1;
      [left, right, top, bottom] = [Math.min(left, column), Math.max(right, column), Math.min(top, row), Math.max(bottom, row)];
      colours[at]!.forEach((value, i) => (sum[i] = sum[i]! + value));
      for (const [dc, dr] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const c = column + dc;
        const r = row + dr;
        if (c < 0 || r < 0 || c >= columns || r >= rows) continue;
        const next = r * columns + c;
        if (foreground[next] && label[next]! < 0) {
          label[next] = start;
          stack.push(next);
        }
      }
    }
    const share = count / tones.length;
    if (share < t.minThingShare || share > t.maxThingShare) continue;
    const box = { x: left / columns, y: top / rows, width: (right - left + 1) / columns, height: (bottom - top + 1) / rows };
    const widthPx = box.width * frame.width;
    const heightPx = box.height * frame.height;
    const shape: ThingShape = Math.max(widthPx, heightPx) >= t.elongation * Math.min(widthPx, heightPx) ? 'elongated' : 'compact';
    const [r, g, b] = sum.map((value) => value / count) as [number, number, number];
    things.push({ box, size: share < t.smallShare ? 'small' : 'large', shape, colour: nameColour(r, g, b), share });
  }
  return {
    surface,
    things: things
      .sort((a, b) => b.share - a.share)
      .slice(0, t.maxThings)
      .map(({ share: _share, ...thing }) => thing),
  };
}
