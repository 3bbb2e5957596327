/** Axis-aligned region of a probability map, in map pixels (inclusive-exclusive). */
export interface MapRegion {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  /** Mean probability over the region's own pixels. */
  readonly score: number;
  readonly pixels: number;
}

/**
 * Bounding boxes of the 8-connected regions where `probability > threshold`.
 * Iterative flood fill, so memory stays O(width × height) whatever the map holds.
 */
export function findRegions(probability: Float32Array, width: number, height: number, threshold: number): MapRegion[] {
  const visited = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const regions: MapRegion[] = [];
  for (let start = 0; start < probability.length; start++) {
    if (visited[start] || !(probability[start]! > threshold)) continue;
    let left = width;
    let top = height;
    let right = 0;
    let bottom = 0;
    let sum = 0;
    let pixels = 0;
    let size = 0;
    stack[size++] = start;
    visited[start] = 1;
    while (size > 0) {
      const index = stack[--size]!;
      const x = index % width;
      const y = (index - x) / width;
      left = Math.min(left, x);
      right = Math.max(right, x + 1);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y + 1);
      sum += probability[index]!;
      pixels++;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const neighbour = ny * width + nx;
          if (!visited[neighbour] && probability[neighbour]! > threshold) {
            visited[neighbour] = 1;
            stack[size++] = neighbour;
          }
        }
      }
    }
    regions.push({ left, top, right, bottom, score: sum / pixels, pixels });
  }
  return regions;
}

/**
 * DB's "unclip": the network predicts shrunken text kernels, so each box grows by
 * area × ratio / perimeter on every side to cover the glyphs.
 */
export function unclip(region: MapRegion, ratio: number): { left: number; top: number; right: number; bottom: number } {
  const width = region.right - region.left;
  const height = region.bottom - region.top;
  const distance = (width * height * ratio) / (2 * (width + height));
  return { left: region.left - distance, top: region.top - distance, right: region.right + distance, bottom: region.bottom + distance };
}

export interface PixelBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Joins boxes that are words of one line: vertically overlapping by most of the smaller height
 * and separated by a gap under `maxGapRatio` × line height. DB often splits large text at word
 * spaces; reading the line as one crop keeps its words together and in order.
 */
export function mergeLineBoxes(boxes: readonly PixelBox[], maxGapRatio = 0.8): PixelBox[] {
  const merged = [...boxes].sort((a, b) => a.left - b.left);
  let changed = true;
  while (changed) {
    changed = false;
    outer: for (let i = 0; i < merged.length; i++) {
      for (let j = i + 1; j < merged.length; j++) {
        const a = merged[i]!;
        const b = merged[j]!;
        const overlap = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
        const lineHeight = Math.min(a.height, b.height);
        const gap = Math.max(a.left, b.left) - Math.min(a.left + a.width, b.left + b.width);
        const similarHeight = Math.max(a.height, b.height) < 2 * lineHeight;
        if (similarHeight && overlap > 0.6 * lineHeight && gap < maxGapRatio * lineHeight) {
          const left = Math.min(a.left, b.left);
          const top = Math.min(a.top, b.top);
          merged[i] = {
            left,
            top,
            width: Math.max(a.left + a.width, b.left + b.width) - left,
            height: Math.max(a.top + a.height, b.top + b.height) - top,
          };
          merged.splice(j, 1);
          changed = true;
          break outer;
        }
      }
    }
  }
  return merged;
}
