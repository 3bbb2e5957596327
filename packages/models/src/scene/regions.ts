import type { Box, RgbFrame } from '../types.ts';
import { nameColour, PALETTE, type ColourName } from './colours.ts';

/** A colour is named for a region only when this share of its sampled pixels has it. */
const MIN_REGION_SHARE = 0.35;
const MAX_REGION_SAMPLES = 4_000;

/**
 * A pixel's colour as people name the colour of a thing: like `nameColour`, except that dark grays
 * (value below 0.32) are black, because black cloth and paint under room light rarely read darker.
 */
function objectColour(r: number, g: number, b: number): ColourName {
  const name = nameColour(r, g, b);
  return name === 'gray' && Math.max(r, g, b) < 82 ? 'black' : name;
}

/**
 * The dominant palette colour inside `box` (frame fractions), or null when no colour holds
 * MIN_REGION_SHARE of it. Gray and black need a larger share, since shadow and background read as
 * gray or black in almost any region.
 */
export function regionColour(frame: RgbFrame, box: Box): ColourName | null {
  const left = Math.max(0, Math.floor(box.x * frame.width));
  const top = Math.max(0, Math.floor(box.y * frame.height));
  const right = Math.min(frame.width, Math.ceil((box.x + box.width) * frame.width));
  const bottom = Math.min(frame.height, Math.ceil((box.y + box.height) * frame.height));
  const area = (right - left) * (bottom - top);
  if (area <= 0) return null;
  const step = Math.max(1, Math.floor(Math.sqrt(area / MAX_REGION_SAMPLES)));
  const counts = new Array<number>(PALETTE.length).fill(0);
  let n = 0;
  for (let y = top; y < bottom; y += step) {
    for (let x = left; x < right; x += step) {
      const p = 3 * (y * frame.width + x);
      const slot = PALETTE.indexOf(objectColour(frame.data[p]!, frame.data[p + 1]!, frame.data[p + 2]!));
      counts[slot] = counts[slot]! + 1;
      n += 1;
    }
  }
  let best = 0;
  counts.forEach((count, i) => {
    if (count > counts[best]!) best = i;
  });
  const name = PALETTE[best]!;
  const needed = name === 'gray' || name === 'black' ? 0.5 : MIN_REGION_SHARE;
  return n > 0 && counts[best]! / n >= needed ? name : null;
}

/** The middle of a box (half its width and height), where an object's own colour is, not the background's. */
export function innerBox(box: Box, keep = 0.5): Box {
  const margin = (1 - keep) / 2;
  return { x: box.x + box.width * margin, y: box.y + box.height * margin, width: box.width * keep, height: box.height * keep };
}
