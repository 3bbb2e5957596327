import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box, Detection, RgbFrame } from '../src/types.ts';
import { cocoLabels, createObjectDetector, decodeCenternet, decodeNanodet, intersectionOverUnion, nonMaxSuppression } from '../src/detect/index.ts';

const STOP = cocoLabels.indexOf('stop sign');
const CLOCK = cocoLabels.indexOf('clock');

function octagon(cx: number, cy: number, r: number): string {
  return Array.from({ length: 8 }, (_, i) => {
    const angle = Math.PI / 8 + (i * Math.PI) / 4;
    return `${cx + r * Math.cos(angle)},${cy + r * Math.sin(angle)}`;
  }).join(' ');
}

async function render(body: string): Promise<RgbFrame> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">${body}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** A road sign: red octagon (radius 100 px, centred at 320,180) with a white rim and "STOP". */
const stopSignScene =
  `<rect width="640" height="480" fill="#87ceeb"/><rect x="0" y="380" width="640" height="100" fill="#555"/>` +
  `<rect x="310" y="260" width="20" height="200" fill="#999"/><polygon points="${octagon(320, 180, 110)}" fill="#fff"/>` +
  `<polygon points="${octagon(320, 180, 100)}" fill="#c8102e"/>` +
  `<text x="320" y="210" font-family="DejaVu Sans" font-weight="bold" font-size="80" fill="#fff" text-anchor="middle">STOP</text>`;

/** A wall clock: white face, radius 150 px centred at 320,240, dark rim, 12 ticks, two hands. */
const clockScene =
  `<rect width="640" height="480" fill="#e8e0d0"/><circle cx="320" cy="240" r="150" fill="#fff" stroke="#222" stroke-width="14"/>` +
  Array.from({ length: 12 }, (_, i) => {
    const a = (i * Math.PI) / 6;
    return `<line x1="${320 + 120 * Math.sin(a)}" y1="${240 - 120 * Math.cos(a)}" x2="${320 + 138 * Math.sin(a)}" y2="${240 - 138 * Math.cos(a)}" stroke="#222" stroke-width="8"/>`;
  }).join('') +
  `<line x1="320" y1="240" x2="320" y2="140" stroke="#111" stroke-width="10"/><line x1="320" y1="240" x2="390" y2="270" stroke="#111" stroke-width="8"/>`;

const box = (x: number, y: number, width: number, height: number): Box => ({ x, y, width, height });
const detection = (classId: number, score: number, b: Box): Detection => ({ classId, label: cocoLabels[classId]!, score, box: b });

describe('COCO labels', () => {
  it('has the 80 classes in COCO order', () => {
    expect(cocoLabels).toHaveLength(80);
    expect(cocoLabels[0]).toBe('person');
    expect(cocoLabels[39]).toBe('bottle');
    expect(cocoLabels[79]).toBe('toothbrush');
  });
});

describe('NanoDet decoding', () => {
  const grid = 13;
  const stride = 32;
  const bins = 11;

  function level(cell: number, classId: number, score: number, logits: (side: number) => number[]): Parameters<typeof decodeNanodet>[0][number] {
    const scores = new Float32Array(grid * grid * 80);
    scores[cell * 80 + classId] = score;
    const regression = new Float32Array(grid * grid * 4 * bins).fill(-50);
    for (let side = 0; side < 4; side++) regression.set(logits(side), (cell * 4 + side) * bins);
    return { gridSize: grid, stride, scores, regression };
  }

  it('places the box around the cell centre from the expected side distances', () => {
    const sides = [2, 3, 2, 1]; // left, top, right, bottom, in strides
    const oneHot = (side: number): number[] => Array.from({ length: bins }, (_, b) => (b === sides[side] ? 50 : -50));
    const cell = 6 * grid + 4; // row 6, column 4
    const [found, ...rest] = decodeNanodet([level(cell, 16, 0.8, oneHot)], 416, 0.3);
    expect(rest).toHaveLength(0);
    expect(found!.label).toBe('dog');
    expect(found!.score).toBeCloseTo(0.8, 6);
    const cx = 4.5 / 13;
    const cy = 6.5 / 13;
    const unit = stride / 416;
    expect(found!.box.x).toBeCloseTo(cx - 2 * unit, 5);
    expect(found!.box.y).toBeCloseTo(cy - 3 * unit, 5);
    expect(found!.box.width).toBeCloseTo(4 * unit, 5);
    expect(found!.box.height).toBeCloseTo(4 * unit, 5);
  });

  it('uses the expectation of the distance distribution, not its argmax', () => {
    // Equal mass on bins 1 and 3 gives distance 2 strides on every side.
    const split = (): number[] => Array.from({ length: bins }, (_, b) => (b === 1 || b === 3 ? 10 : -50));
    const [found] = decodeNanodet([level(0, 0, 0.9, split)], 416, 0.3);
    const unit = stride / 416;
    // Cell 0 is the top-left corner, so the box is clipped at 0 on the left and top.
    expect(found!.box.x).toBe(0);
    expect(found!.box.width).toBeCloseTo(0.5 / 13 + 2 * unit, 5);
  });

  it('ignores scores below the threshold', () => {
    const flat = (): number[] => new Array<number>(bins).fill(0);
    expect(decodeNanodet([level(10, 2, 0.25, flat)], 416, 0.3)).toEqual([]);
  });
});

describe('CenterNet decoding', () => {
  it('normalises pixel corners by the input size, filters by score and clips to the frame', () => {
    const rows = Float32Array.from([
      64, 128, 256, 512, 0.9, 2, // car
      -20, 10, 100, 600, 0.5, 0, // person spilling outside the frame
      0, 0, 50, 50, 0.1, 5, // below threshold
    ]);
    const found = decodeCenternet(rows, 512, 0.3);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({ classId: 2, label: 'car', box: { x: 0.125, y: 0.25, width: 0.375, height: 0.75 } });
    expect(found[1]!.box.x).toBe(0);
    expect(found[1]!.box.y + found[1]!.box.height).toBe(1);
  });
});

describe('non-maximum suppression', () => {
  it('computes IoU', () => {
    expect(intersectionOverUnion(box(0, 0, 0.5, 0.5), box(0, 0, 0.5, 0.5))).toBeCloseTo(1);
    expect(intersectionOverUnion(box(0, 0, 0.5, 0.5), box(0.25, 0, 0.5, 0.5))).toBeCloseTo(1 / 3);
    expect(intersectionOverUnion(box(0, 0, 0.2, 0.2), box(0.5, 0.5, 0.2, 0.2))).toBe(0);
  });

  it('keeps the best of overlapping same-class boxes, other classes, and respects the cap', () => {
    const candidates = [
      detection(0, 0.6, box(0.1, 0.1, 0.3, 0.5)),
      detection(0, 0.9, box(0.12, 0.1, 0.3, 0.5)),
      detection(16, 0.7, box(0.12, 0.1, 0.3, 0.5)),
      detection(0, 0.5, box(0.6, 0.1, 0.3, 0.5)),
    ];
    const kept = nonMaxSuppression(candidates, 0.5, 10);
    expect(kept.map((d) => [d.classId, d.score])).toEqual([
      [0, 0.9],
      [16, 0.7],
      [0, 0.5],
    ]);
    expect(nonMaxSuppression(candidates, 0.5, 2)).toHaveLength(2);
  });
});

describe.each(['centernet', 'nanodet'] as const)('%s detector on rendered scenes', (model) => {
  const detector = createObjectDetector({ model, scoreThreshold: 0.3 });
  let blank: RgbFrame;
  let stopSign: RgbFrame;
  let clock: RgbFrame;

  beforeAll(async () => {
    [blank, stopSign, clock] = await Promise.all([render('<rect width="640" height="480" fill="#fff"/>'), render(stopSignScene), render(clockScene)]);
  });
  afterAll(() => detector.dispose());

  it('finds a stop sign and a clock where they were drawn, and nothing on a blank frame', async () => {
    const [onBlank, onStop, onClock] = await detector.detect([blank, stopSign, clock]);
    expect(onBlank).toEqual([]);

    const sign = onStop!.find((d) => d.classId === STOP);
    expect(sign, JSON.stringify(onStop)).toBeDefined();
    expect(sign!.label).toBe('stop sign');
    // The octagon (with rim) spans x 210..430, y 70..290 of 640x480.
    expect(intersectionOverUnion(sign!.box, box(210 / 640, 70 / 480, 220 / 640, 220 / 480))).toBeGreaterThan(0.6);

    const face = onClock!.find((d) => d.classId === CLOCK);
    expect(face, JSON.stringify(onClock)).toBeDefined();
    expect(intersectionOverUnion(face!.box, box(163 / 640, 83 / 480, 314 / 640, 314 / 480))).toBeGreaterThan(0.6);

    for (const d of [...onStop!, ...onClock!]) {
      expect(d.score).toBeGreaterThan(0.3);
      expect(d.box.x).toBeGreaterThanOrEqual(0);
      expect(d.box.x + d.box.width).toBeLessThanOrEqual(1);
    }
  });

  it('rejects malformed frames', async () => {
    await expect(detector.detect([{ width: 2, height: 2, data: new Uint8Array(3) }])).rejects.toMatchObject({ code: 'invalid-frame' });
  });
});

describe('detector options', () => {
  it('rejects out-of-range thresholds and unknown models', () => {
    expect(() => createObjectDetector({ scoreThreshold: 1.5 })).toThrow(expect.objectContaining({ code: 'invalid-config' }));
    expect(() => createObjectDetector({ maxDetections: 0 })).toThrow(expect.objectContaining({ code: 'invalid-config' }));
    expect(() => createObjectDetector({ model: 'yolo' as never })).toThrow(expect.objectContaining({ code: 'invalid-config' }));
  });
});
