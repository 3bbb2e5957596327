import { describe, expect, it } from 'vitest';
import { analyseScene, nameColour } from '../src/scene/index.ts';
import { createSceneDescriber } from '../src/describe/index.ts';
import { renderLavfi } from './motion-fixtures.ts';

const still = async (graph: string) => {
  const [frame] = await renderLavfi(graph, 160, 120, 1, 1);
  if (!frame) throw new Error(`ffmpeg produced no frame for ${graph}`);
  return frame;
};

describe('scene colour and lighting', () => {
  it('names a red frame red and does not call it dark', async () => {
    const frame = await still('color=c=red:s=160x120');
    const scene = analyseScene(frame);
    expect(scene.colours).toEqual(['red']);
    expect(scene.brightness).not.toBe('dark');
    expect(scene.colourfulness).toBe('colorful');
    const description = await createSceneDescriber().describeKeyframe(frame);
    expect(description.text).toContain('mostly red tones');
  });

  it('calls a near-black frame dark and a white frame bright', async () => {
    const dark = analyseScene(await still('color=c=0x141414:s=160x120'));
    expect(dark.brightness).toBe('dark');
    expect(dark.colours).toEqual(['black']);
    const white = analyseScene(await still('color=c=white:s=160x120'));
    expect(white.brightness).toBe('bright');
    expect(white.colours).toEqual(['white']);
    expect(white.colourfulness).toBe('muted');
  });

  it('names the two colours of a split frame, larger first, and sees the contrast', async () => {
    const split = 'color=c=blue:s=160x120[a];color=c=yellow:s=60x120[b];[a][b]overlay=x=100:y=0';
    const scene = analyseScene(await still(split));
    expect(scene.colours).toEqual(['blue', 'yellow']);
    expect(scene.contrast).toBe('high');
  });

  it('classifies palette colours from HSV', () => {
    expect(nameColour(250, 130, 20)).toBe('orange');
    expect(nameColour(120, 70, 20)).toBe('brown');
    expect(nameColour(30, 200, 40)).toBe('green');
    expect(nameColour(128, 128, 132)).toBe('gray');
    expect(nameColour(240, 100, 200)).toBe('pink');
  });

  it('rejects a malformed frame with a typed error', () => {
    expect(() => analyseScene({ width: 4, height: 4, data: new Uint8Array(5) })).toThrowError(expect.objectContaining({ code: 'invalid-frame' }));
  });
});
