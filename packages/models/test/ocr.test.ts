import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../src/types.ts';
import { createTextReader, ctcGreedyDecode, findRegions, mergeLineBoxes, unclip } from '../src/ocr/index.ts';

const reader = createTextReader();
afterAll(() => reader.dispose());

async function renderText(lines: readonly { text: string; x: number; y: number; size: number; weight?: string; fill?: string }[], background = '#fff', width = 640, height = 360): Promise<RgbFrame> {
  const body = lines
    .map((l) => `<text x="${l.x}" y="${l.y}" font-family="DejaVu Sans" font-size="${l.size}" font-weight="${l.weight ?? 'normal'}" fill="${l.fill ?? '#000'}">${l.text}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${background}"/>${body}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

const normalise = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();

describe('CTC greedy decoding', () => {
  it('collapses repeats, drops blanks and keeps a repeated letter split by a blank', () => {
    const characters = ['', 'a', 'b', 'l'];
    // steps: a a blank b b blank l blank l  -> "abll"
    const best = [1, 1, 0, 2, 2, 0, 3, 0, 3];
    const probabilities = new Float32Array(best.length * 4);
    best.forEach((c, step) => {
      probabilities.fill(0.1 / 3, step * 4, step * 4 + 4);
      probabilities[step * 4 + c] = 0.9;
    });
    const { text, score } = ctcGreedyDecode(probabilities, best.length, 4, characters);
    expect(text).toBe('abll');
    expect(score).toBeCloseTo(0.9, 5);
  });
});

describe('probability-map regions', () => {
  it('finds separate 8-connected blobs with their bounds and mean score', () => {
    const width = 10;
    const map = new Float32Array(width * 6);
    const set = (x: number, y: number, v: number): void => {
      map[y * width + x] = v;
    };
    set(1, 1, 0.8);
    set(2, 2, 0.6); // diagonal neighbour: same region
    set(7, 4, 0.9);
    set(8, 4, 0.9);
    set(5, 5, 0.2); // below threshold
    const regions = findRegions(map, width, 6, 0.3);
    expect(regions).toHaveLength(2);
    expect(regions[0]).toMatchObject({ left: 1, top: 1, right: 3, bottom: 3, pixels: 2 });
    expect(regions[0]!.score).toBeCloseTo(0.7, 5);
    expect(regions[1]).toMatchObject({ left: 7, top: 4, right: 9, bottom: 5 });
  });

  it('unclips by area × ratio / perimeter', () => {
    const grown = unclip({ left: 10, top: 10, right: 30, bottom: 20, score: 1, pixels: 200 }, 1.5);
    const d = (20 * 10 * 1.5) / (2 * 30);
    expect(grown).toEqual({ left: 10 - d, top: 10 - d, right: 30 + d, bottom: 20 + d });
  });
});

describe('line merging', () => {
  it('joins words on one line, keeps separate lines and far-apart words apart', () => {
    const merged = mergeLineBoxes([
      { left: 100, top: 10, width: 80, height: 40 }, // "EXIT"
      { left: 200, top: 12, width: 50, height: 38 }, // "42", 20 px gap
      { left: 100, top: 80, width: 200, height: 30 }, // next line
      { left: 600, top: 10, width: 60, height: 40 }, // far right, same height band
    ]);
    expect(merged).toHaveLength(3);
    expect(merged).toContainEqual({ left: 100, top: 10, width: 150, height: 40 });
    expect(merged).toContainEqual({ left: 100, top: 80, width: 200, height: 30 });
    expect(merged).toContainEqual({ left: 600, top: 10, width: 60, height: 40 });
  });
});

describe('PP-OCRv4 text reader', () => {
  it('reads large black-on-white text with its position', async () => {
    const frame = await renderText([{ text: 'EXIT 42', x: 120, y: 200, size: 96, weight: 'bold' }]);
    const lines = await reader.read(frame);
    expect(lines).toHaveLength(1);
    const text = normalise(lines.map((l) => l.text).join(' '));
    expect(editDistance(text, 'exit 42'), text).toBeLessThanOrEqual(1);
    for (const line of lines) {
      expect(line.score).toBeGreaterThan(0.5);
      // Text sits between y≈120 and y≈210 of 360.
      expect(line.box.y).toBeGreaterThan(0.2);
      expect(line.box.y + line.box.height).toBeLessThan(0.7);
    }
  });

  it('reads several lines top to bottom, including light text on dark', async () => {
    const frame = await renderText(
      [
        { text: 'Platform 7', x: 40, y: 90, size: 48, fill: '#fff' },
        { text: 'Departures 10:45', x: 40, y: 220, size: 40, fill: '#ffd700' },
      ],
      '#102040',
    );
    const lines = await reader.read(frame);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(editDistance(normalise(lines[0]!.text), 'platform 7')).toBeLessThanOrEqual(2);
    expect(editDistance(normalise(lines.slice(1).map((l) => l.text).join(' ')), 'departures 10:45')).toBeLessThanOrEqual(2);
  });

  it('finds no text on a plain frame', async () => {
    const frame = await renderText([]);
    expect(await reader.read(frame)).toEqual([]);
  });

  it('rejects malformed frames and bad options', async () => {
    await expect(reader.read({ width: 4, height: 4, data: new Uint8Array(10) })).rejects.toMatchObject({ code: 'invalid-frame' });
    expect(() => createTextReader({ boxThreshold: 3 })).toThrow(expect.objectContaining({ code: 'invalid-config' }));
    expect(() => createTextReader({ maxSide: 10 })).toThrow(expect.objectContaining({ code: 'invalid-config' }));
  });
});
