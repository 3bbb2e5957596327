import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../src/types.ts';
import { createSuperResolver, planTiles } from '../src/superres/index.ts';

const x2 = createSuperResolver({ size: 'slim', scale: 2 });
afterAll(() => x2.dispose());

const toFrame = ({ data, info }: { data: Buffer; info: { width: number; height: number } }): RgbFrame => ({ width: info.width, height: info.height, data: new Uint8Array(data) });

function psnr(a: RgbFrame, b: RgbFrame): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let squared = 0;
  for (let i = 0; i < a.data.length; i++) squared += (a.data[i]! - b.data[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (squared / a.data.length));
}

let original: RgbFrame;
let small: RgbFrame;

beforeAll(async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">
    <defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#234"/><stop offset="1" stop-color="#9bd"/></linearGradient></defs>
    <rect width="320" height="240" fill="url(#g)"/>
    <circle cx="90" cy="120" r="60" fill="#e63"/><rect x="170" y="40" width="110" height="70" fill="#fd4" stroke="#222" stroke-width="4"/>
    <text x="170" y="190" font-family="DejaVu Sans" font-size="36" font-weight="bold" fill="#fff">CMVC</text></svg>`;
  original = toFrame(await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true }));
  small = toFrame(await sharp(original.data, { raw: { width: 320, height: 240, channels: 3 } }).resize(160, 120, { kernel: 'cubic' }).raw().toBuffer({ resolveWithObject: true }));
});

describe('tile planning', () => {
  it('covers the frame exactly once with padded reads inside the frame', () => {
    const tiles = planTiles(300, 130, 128, 8);
    expect(tiles).toHaveLength(3 * 2);
    const covered = new Uint8Array(300 * 130);
    for (const t of tiles) {
      expect(t.readX).toBeGreaterThanOrEqual(0);
      expect(t.readX + t.readWidth).toBeLessThanOrEqual(300);
      expect(t.readY + t.readHeight).toBeLessThanOrEqual(130);
      for (let y = t.y; y < t.y + t.height; y++) for (let x = t.x; x < t.x + t.width; x++) covered[y * 300 + x]!++;
    }
    expect(covered.every((c) => c === 1)).toBe(true);
  });
});

describe('ESRGAN super-resolution', () => {
  it('doubles the size and restores content at least as well as bicubic', async () => {
    const upscaled = await x2.upscale(small);
    expect([upscaled.width, upscaled.height]).toEqual([320, 240]);
    expect(upscaled.data).toHaveLength(320 * 240 * 3);
    const bicubic = toFrame(await sharp(small.data, { raw: { width: 160, height: 120, channels: 3 } }).resize(320, 240, { kernel: 'cubic' }).raw().toBuffer({ resolveWithObject: true }));
    const esrganPsnr = psnr(upscaled, original);
    const bicubicPsnr = psnr(bicubic, original);
    expect(esrganPsnr).toBeGreaterThan(24);
    expect(esrganPsnr).toBeGreaterThan(bicubicPsnr - 0.5);
  });

  it('gives the same picture whether or not the frame is tiled', async () => {
    const tiled = createSuperResolver({ scale: 2, tileSize: 48, tilePadding: 8 });
    try {
      const whole = await x2.upscale(small);
      const pieces = await tiled.upscale(small);
      expect(psnr(pieces, whole)).toBeGreaterThan(40);
    } finally {
      await tiled.dispose();
    }
  });

  it('quadruples with the x4 model', async () => {
    const x4 = createSuperResolver({ scale: 4 });
    try {
      const tiny = toFrame(await sharp(original.data, { raw: { width: 320, height: 240, channels: 3 } }).resize(80, 60).raw().toBuffer({ resolveWithObject: true }));
      const upscaled = await x4.upscale(tiny);
      expect([upscaled.width, upscaled.height]).toEqual([320, 240]);
      expect(psnr(upscaled, original)).toBeGreaterThan(18);
    } finally {
      await x4.dispose();
    }
  });

  it('rejects bad frames, oversize results and bad options', async () => {
    await expect(x2.upscale({ width: 2, height: 2, data: new Uint8Array(2) })).rejects.toMatchObject({ code: 'invalid-frame' });
    await expect(x2.upscale({ width: 5000, height: 1, data: new Uint8Array(15000) })).rejects.toMatchObject({ code: 'invalid-frame' });
    expect(() => createSuperResolver({ scale: 8 as never })).toThrow(expect.objectContaining({ code: 'invalid-config' }));
    expect(() => createSuperResolver({ tileSize: 4 })).toThrow(expect.objectContaining({ code: 'invalid-config' }));
  });
});
