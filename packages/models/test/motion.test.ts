import { describe, expect, it } from 'vitest';
import type { Detection, ObjectDetector, RgbFrame } from '../src/types.ts';
import { analyseMotion, classifyMovement, countableDetections, linkTracks, typicalCounts, type GrayImage } from '../src/motion/index.ts';
import { coarseShift } from '../src/motion/flow.ts';
import { createSceneDescriber } from '../src/describe/index.ts';
import { ModelError } from '../src/runtime/errors.ts';
import { boxOffBackdrop, renderLavfi, texture, type RawFrame } from './motion-fixtures.ts';

const W = 320;
const H = 240;
const FPS = 5;
const SECONDS = 2.4;
const GRAY: readonly [number, number, number] = [128, 128, 128];

const clip = async (graph: string): Promise<RawFrame[]> => renderLavfi(graph, W, H, FPS, SECONDS);
const movingPatch = (x: string, y: string, size = 60) =>
  `color=c=gray:s=${W}x${H}:r=25[bg];testsrc2=s=${size}x${size}:r=25[fg];[bg][fg]overlay=x='${x}':y='${y}'`;

/** A stand-in detector that reports whatever differs from the gray backdrop as one object of `classId`. */
function backdropDetector(classId: number, label: string): ObjectDetector {
  return {
    id: 'backdrop-test-detector',
    async detect(frames: readonly RgbFrame[]): Promise<Detection[][]> {
      return frames.map((frame) => {
        const box = boxOffBackdrop({ ...frame, index: 0, time: 0 }, GRAY);
        return box ? [{ classId, label, score: 0.9, box }] : [];
      });
    },
  };
}

describe('camera motion', () => {
  it('calls a textured scene without motion static', async () => {
    const frames = await clip(texture(W, H));
    const result = await analyseMotion(frames);
    expect(result.camera.kind).toBe('static');
    expect(result.areas).toHaveLength(0);
    const description = await createSceneDescriber().describeMotion({ frames, fps: FPS });
    expect(description.text).toBe('camera static; nothing moves');
  });

  it('measures a pan to the right at about the rendered speed', async () => {
    // The crop window slides right by 100 px/s over a 320 px frame: 0.31 frame widths per second.
    const result = await analyseMotion(await clip(`${texture(960, H)},crop=${W}:${H}:'t*100':0`));
    expect(result.camera.kind).toBe('pan');
    expect(result.camera.dx).toBeGreaterThan(0.2);
    expect(result.camera.dx).toBeLessThan(0.4);
    expect(Math.abs(result.camera.dy)).toBeLessThan(0.03);
  });

  it('describes a pan to the left', async () => {
    const frames = await clip(`${texture(960, H)},crop=${W}:${H}:'600-t*100':0`);
    const description = await createSceneDescriber().describeMotion({ frames, fps: FPS });
    expect(description.camera.kind).toBe('pan');
    expect(description.camera.dx).toBeLessThan(0);
    expect(description.text).toMatch(/^camera (slowly |quickly )?pans left/);
  });

  it('describes a tilt up', async () => {
    const frames = await clip(`${texture(W, 720)},crop=${W}:${H}:0:'400-t*100'`);
    const description = await createSceneDescriber().describeMotion({ frames, fps: FPS });
    expect(description.camera.kind).toBe('tilt');
    expect(description.camera.dy).toBeLessThan(0);
    expect(description.text).toMatch(/^camera (slowly |quickly )?tilts up/);
  });

  it('describes a zoom in', async () => {
    const zoom = `${texture(W, H)},scale=640:480,zoompan=z='1+0.02*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${W}x${H}:fps=25`;
    const frames = await clip(zoom);
    const description = await createSceneDescriber().describeMotion({ frames, fps: FPS });
    expect(description.camera.kind).toBe('zoom');
    expect(description.camera.zoom).toBeGreaterThan(1.1);
    expect(description.text).toMatch(/^camera (slowly |quickly )?zooms in/);
  });
});

describe('moving objects', () => {
  it('finds a patch moving left to right without a detector', async () => {
    const frames = await clip(movingPatch('20+t*80', '90'));
    const result = await analyseMotion(frames);
    expect(result.camera.kind).toBe('static');
    expect(result.objects).toHaveLength(0);
    expect(result.areas.length).toBeGreaterThan(0);
    expect(result.areas[0]?.direction).toBe('left-to-right');
    const description = await createSceneDescriber().describeMotion({ frames, fps: FPS });
    // The backdrop is plain, so the patch is told as a thing on a surface (no detector class names it).
    expect(description.text).toMatch(/^camera static; something small, \w+ and compact moves (slowly |quickly )?from left to right across a \w+ surface$/);
    expect(description.text).not.toMatch(/person|car|walks|drives/);
  });

  it('follows a patch crossing a sixth of the frame between samples', async () => {
    // 250 px/s at 5 samples/s on a 320 px frame: 50 px per pair, beyond what dense flow alone resolves.
    const frames = await clip(movingPatch('t*250', '90', 50));
    const description = await createSceneDescriber({ motionFrames: frames.length }).describeMotion({ frames, fps: FPS });
    expect(description.text).toMatch(/^camera static; something small, \w+ and compact moves quickly from left to right/);
  });

  it('tracks a detected person walking left to right', async () => {
    const frames = await clip(movingPatch('20+t*80', '90'));
    const describer = createSceneDescriber({ detector: backdropDetector(0, 'person') });
    const description = await describer.describeMotion({ frames, fps: FPS });
    expect(description.text).toMatch(/^camera static; a person walks (slowly |quickly )?from left to right$/);
  });

  it('tracks a detected car driving right to left and a bottle moving down', async () => {
    const car = await createSceneDescriber({ detector: backdropDetector(2, 'car') }).describeMotion({
      frames: await clip(movingPatch('240-t*80', '90')),
      fps: FPS,
    });
    expect(car.text).toMatch(/a car drives (slowly |quickly )?from right to left/);
    const bottle = await createSceneDescriber({ detector: backdropDetector(39, 'bottle') }).describeMotion({
      frames: await clip(movingPatch('130', '10+t*60', 50)),
      fps: FPS,
    });
    expect(bottle.text).toMatch(/a bottle moves (slowly |quickly )?down/);
  });

  it('names an object that passes through in only a few sampled frames', async () => {
    const frames = await clip(movingPatch('20+t*80', '90'));
    const chair = { classId: 56, label: 'chair', score: 0.9, box: { x: 0.85, y: 0.8, width: 0.1, height: 0.15 } };
    // The car is detected in the first three of eight sampled frames only; a still chair in all of them.
    const detector: ObjectDetector = {
      id: 'passing-car',
      async detect(list: readonly RgbFrame[]): Promise<Detection[][]> {
        return (await backdropDetector(2, 'car').detect(list)).map((found, i) => [...(i < 3 ? found : []), chair]);
      },
    };
    const description = await createSceneDescriber({ detector }).describeMotion({ frames, fps: FPS });
    expect(description.text).toMatch(/a car drives (slowly |quickly )?from left to right/);
  });

  it('tells an object growing in the frame is coming toward the camera', async () => {
    const growing = `testsrc2=s=160x160:r=25,scale=w='24+t*50':h='24+t*50':eval=frame`;
    const graph = `color=c=gray:s=${W}x${H}:r=25[bg];${growing}[fg];[bg][fg]overlay=x='(W-w)/2':y='(H-h)/2'`;
    const frames = await clip(graph);
    const description = await createSceneDescriber({ detector: backdropDetector(0, 'person') }).describeMotion({ frames, fps: FPS });
    expect(description.text).toMatch(/a person walks (slowly |quickly )?toward the camera/);
  });
});

describe('objects entering the frame', () => {
  it('does not mistake an object growing as it slides in from the edge for one coming closer', async () => {
    const frames = await clip(movingPatch('310-t*80', '90'));
    const description = await createSceneDescriber({ detector: backdropDetector(2, 'car') }).describeMotion({ frames, fps: FPS });
    expect(description.text).toMatch(/^camera static; a car drives (slowly |quickly )?from right to left$/);
  });
});

describe('things leaving or entering through an edge', () => {
  // Mostly outside the picture already, a patch slides out at the left in the first half of the
  // clip: too little of it shows, too briefly, for its travel to pass as movement (like people
  // stepping out through a door at the edge of a wide shot).
  const atEdge = (x: string) => `${texture(W, H)}[bg];testsrc2=s=60x60:r=25[fg];[bg][fg]overlay=x='${x}':y=90`;

  it('says something moves out of the picture at the edge it leaves by', async () => {
    const frames = await clip(atEdge('-42-t*12'));
    const description = await createSceneDescriber().describeMotion({ frames, fps: FPS });
    expect(description.text).toBe('camera static; something moves out of the picture at the left');
  });

  it('says something comes into the picture at the edge it enters by', async () => {
    // It shows up a third of the way through and only its first 16 px get in.
    const frames = await clip(atEdge('W-max(0,t-0.8)*10'));
    const description = await createSceneDescriber().describeMotion({ frames, fps: FPS });
    expect(description.text).toBe('camera static; something moves into the picture from the right');
  });

  it('names what moves out by weak boxes of one class that move with it, and not by a box that stays put', async () => {
    const frames = await clip(atEdge('-42-t*12'));
    // Where the patch shows in each frame; a "person" box there scores 0.15, too weak to count alone.
    const onPatch = (frame: RawFrame): Detection[] => {
      const visible = 18 - 12 * frame.time;
      return visible < 4 ? [] : [{ classId: 0, label: 'person', score: 0.15, box: { x: 0, y: 90 / H, width: visible / W, height: 60 / H } }];
    };
    // A "refrigerator" over the whole left half, the moving patch inside it, in every frame.
    const wall: Detection = { classId: 72, label: 'refrigerator', score: 0.3, box: { x: 0, y: 0, width: 0.5, height: 1 } };
    const named = await analyseMotion(frames, { candidates: frames.map((frame) => [...onPatch(frame), wall]) });
    expect(named.objects.map((object) => [object.classId, object.direction])).toEqual([[0, 'leaves-left']]);
    expect(named.areas).toHaveLength(0);
    // Seen on the patch in one frame only, the person is no evidence.
    const once = await analyseMotion(frames, { candidates: frames.map((frame, i) => [...(i === 1 ? onPatch(frame) : []), wall]) });
    expect(once.objects).toHaveLength(0);
    expect(once.areas.map((area) => area.direction)).toEqual(['leaves-left']);
  });

  it('says nothing moves when a strip at the edge only changes in place all along', async () => {
    // testsrc2's pattern animates inside a strip that stays where it is for the whole clip.
    const frames = await clip(`${texture(W, H)}[bg];testsrc2=s=16x60:r=25[fg];[bg][fg]overlay=x=0:y=90`);
    const description = await createSceneDescriber().describeMotion({ frames, fps: FPS });
    expect(description.text).toBe('camera static; nothing moves');
  });
});

describe('movement in place', () => {
  // A patch swinging ±15 px through two full cycles over the sampled 2.2 s: busy, but going nowhere.
  // All 12 frames are analysed: sparser sampling would alias the swing into drift.
  const swinging = () => clip(movingPatch('130+15*sin(2*PI*t/1.1)', '90'));

  it('reports local movement without a detector', async () => {
    const description = await createSceneDescriber({ motionFrames: 12 }).describeMotion({ frames: await swinging(), fps: FPS });
    expect(description.text).toBe('camera static; something small, gray and compact moves in place on a plain surface');
  });

  it('says a detected person containing it moves in place', async () => {
    const person: ObjectDetector = {
      id: 'fixed-person-test-detector',
      async detect(input: readonly RgbFrame[]) {
        return input.map(() => [{ classId: 0, label: 'person', score: 0.9, box: { x: 0.3, y: 0.2, width: 0.4, height: 0.6 } }]);
      },
    };
    const description = await createSceneDescriber({ detector: person, motionFrames: 12 }).describeMotion({ frames: await swinging(), fps: FPS });
    expect(description.text).toBe('camera static; a person moves in place');
  });
});

describe('still objects', () => {
  it('counts still objects by what a typical frame shows, not by one frame with an extra box or a miss', async () => {
    const frames = await clip(texture(W, H));
    const bottle = (x: number): Detection => ({ classId: 39, label: 'bottle', score: 0.8, box: { x, y: 0.3, width: 0.1, height: 0.4 } });
    const flickering: ObjectDetector = {
      id: 'flickering-test-detector',
      // Three bottles; a fourth box appears in frames 1 and 2, the middle bottle is missed in frames 4 and 6.
      async detect(input: readonly RgbFrame[]) {
        return input.map((_, i) => [
          ...[bottle(0.1), bottle(0.45), bottle(0.8)].filter((_, k) => !(k === 1 && (i === 4 || i === 6))),
          ...(i === 1 || i === 2 ? [bottle(0.6)] : []),
        ]);
      },
    };
    const description = await createSceneDescriber({ detector: flickering }).describeMotion({ frames, fps: FPS });
    expect(description.text).toBe('camera static; three bottles stay still');
  });

  it('takes the median count over the frames where a class is seen', () => {
    const bottles = (n: number): Detection[] => Array.from({ length: n }, (_, i) => ({ classId: 39, label: 'bottle', score: 0.8, box: { x: i * 0.1, y: 0.3, width: 0.05, height: 0.4 } }));
    const person: Detection = { classId: 0, label: 'person', score: 0.9, box: { x: 0.5, y: 0.1, width: 0.3, height: 0.8 } };
    const counts = typicalCounts([bottles(3), bottles(5), [], bottles(2), [...bottles(3), person], [person]]);
    expect(counts.get(39)).toBe(3);
    expect(counts.get(0)).toBe(1);
    expect(typicalCounts([bottles(2), bottles(3)]).get(39)).toBe(3);
    expect(typicalCounts([[], []]).size).toBe(0);
  });
});

describe('counting a frame\'s objects', () => {
  const bottle = (x: number, score: number, width = 0.1): Detection => ({ classId: 39, label: 'bottle', score, box: { x, y: 0.3, width, height: 0.5 } });
  const cup = (x: number, score: number): Detection => ({ classId: 41, label: 'cup', score, box: { x, y: 0.6, width: 0.1, height: 0.1 } });
  const count = (list: Detection[]): number => countableDetections(list, 0.35).length;

  it('counts a weaker box of a class the frame confidently shows, like the third bottle of a row', () => {
    expect(count([bottle(0.1, 0.45), bottle(0.45, 0.4), bottle(0.8, 0.3)])).toBe(3);
    // Too weak even beside confident ones (below 0.6 of the floor).
    expect(count([bottle(0.1, 0.45), bottle(0.45, 0.4), bottle(0.8, 0.15)])).toBe(2);
  });

  it('does not count weak boxes of a class nothing confirms, nor ones far off in size, nor a second box on one object', () => {
    expect(count([bottle(0.1, 0.3), bottle(0.45, 0.3)])).toBe(0);
    expect(count([bottle(0.1, 0.45), cup(0.5, 0.3)])).toBe(1);
    expect(count([bottle(0.1, 0.45), bottle(0.5, 0.3, 0.02)])).toBe(1);
    expect(count([bottle(0.1, 0.45), bottle(0.12, 0.4), bottle(0.11, 0.3)])).toBe(1);
  });

  it('does not count a weak box the detector also labels as something else', () => {
    const toothbrush = (x: number, score: number): Detection => ({ ...bottle(x, score), classId: 79, label: 'toothbrush' });
    // One label spread over a row of bottles: the weak toothbrushes are the bottles, and the weak bottle in the middle is ambiguous.
    const frame = [toothbrush(0.1, 0.43), bottle(0.1, 0.24), toothbrush(0.45, 0.28), bottle(0.45, 0.25), bottle(0.8, 0.37), toothbrush(0.8, 0.21)];
    expect(countableDetections(frame, 0.35).map((d) => d.label).sort()).toEqual(['bottle', 'toothbrush']);
  });

  it('agrees between a clip\'s typical count and its frames', () => {
    // The right bottle hovers just below the floor in most frames and above it in one.
    const frames = [0.3, 0.33, 0.36, 0.31, 0.32].map((score) => [bottle(0.1, 0.45), bottle(0.45, 0.4), bottle(0.8, score)]);
    expect(typicalCounts(frames, 0.35).get(39)).toBe(3);
    expect(typicalCounts(frames.map((list) => list.filter((d) => d.score >= 0.35)), 0.35).get(39)).toBe(2);
  });
});

describe('track helpers', () => {
  it('links boxes of the same class across frames and keeps classes apart', () => {
    const box = (x: number) => ({ x, y: 0.4, width: 0.1, height: 0.2 });
    const tracks = linkTracks([
      [{ classId: 0, box: box(0.1) }, { classId: 2, box: box(0.12) }],
      [{ classId: 0, box: box(0.15) }, { classId: 2, box: box(0.1) }],
      [{ classId: 0, box: box(0.2) }],
    ]);
    expect(tracks.map((t) => [t.classId, t.points.length])).toEqual([
      [0, 3],
      [2, 2],
    ]);
  });

  it('classifies displacement into directions and speeds', () => {
    expect(classifyMovement(0.5, 0.05, 0, 2)).toEqual({ direction: 'left-to-right', speed: 'moderate' });
    expect(classifyMovement(-0.02, 0.01, 0, 2).direction).toBe('still');
    expect(classifyMovement(0.01, -0.9, 0, 1)).toEqual({ direction: 'up', speed: 'fast' });
    expect(classifyMovement(0.05, 0, -0.5, 2).direction).toBe('away');
  });

  it('rejects frames of different sizes and non-increasing times with typed errors', async () => {
    const frame = (width: number, time: number) => ({ width, height: 8, data: new Uint8Array(width * 8 * 3), time });
    await expect(analyseMotion([frame(8, 0), frame(16, 1)])).rejects.toMatchObject({ code: 'invalid-frame' });
    await expect(analyseMotion([frame(8, 1), frame(8, 1)])).rejects.toBeInstanceOf(ModelError);
    await expect(analyseMotion([])).rejects.toMatchObject({ code: 'invalid-input' });
  });
});

describe('global shift search', () => {
  /** The search without its early stop: every shift's full mean absolute difference. */
  function exhaustiveShift(a: GrayImage, b: GrayImage, reach: number): { dx: number; dy: number; cost: number } {
    const cost = (sx: number, sy: number): number => {
      let sum = 0;
      let count = 0;
      for (let y = Math.max(0, -sy); y < Math.min(a.height, a.height - sy); y += 1) {
        for (let x = Math.max(0, -sx); x < Math.min(a.width, a.width - sx); x += 1) {
          sum += Math.abs(a.data[y * a.width + x]! - b.data[(y + sy) * a.width + x + sx]!);
          count += 1;
        }
      }
      return sum / count;
    };
    let best = { dx: 0, dy: 0, cost: cost(0, 0) };
    for (let sy = -reach; sy <= reach; sy += 1) {
      for (let sx = -reach; sx <= reach; sx += 1) {
        const c = cost(sx, sy);
        if (c < best.cost - 1e-6) best = { dx: sx, dy: sy, cost: c };
      }
    }
    return best;
  }

  function noiseImage(width: number, height: number, seed: number): GrayImage {
    let state = seed;
    const data = new Uint8Array(width * height);
    for (let i = 0; i < data.length; i += 1) {
      state = (state * 1103515245 + 12345) % 2147483648;
      data[i] = (state >> 16) & 255;
    }
    return { width, height, data };
  }

  function shifted(image: GrayImage, dx: number, dy: number): GrayImage {
    const data = new Uint8Array(image.data.length);
    for (let y = 0; y < image.height; y += 1) {
      for (let x = 0; x < image.width; x += 1) {
        const sx = Math.min(image.width - 1, Math.max(0, x - dx));
        const sy = Math.min(image.height - 1, Math.max(0, y - dy));
        data[y * image.width + x] = image.data[sy * image.width + sx]!;
      }
    }
    return { ...image, data };
  }

  it('finds the shift an exhaustive search finds, including none', () => {
    // 64 px wide: the search runs at this size (factor 1), reach min(24, width / 3, height / 3).
    const base = noiseImage(64, 48, 7);
    for (const [dx, dy] of [[5, -3], [-12, 9], [0, 0], [15, 15]] as const) {
      const next = shifted(base, dx, dy);
      const expected = exhaustiveShift(base, next, 16);
      expect(coarseShift(base, next)).toEqual(expected.cost > 0.5 * exhaustiveShift(base, next, 0).cost ? { dx: 0, dy: 0 } : { dx: expected.dx, dy: expected.dy });
    }
    const unrelated = noiseImage(64, 48, 99);
    const expected = exhaustiveShift(base, unrelated, 16);
    expect(coarseShift(base, unrelated)).toEqual(expected.cost > 0.5 * exhaustiveShift(base, unrelated, 0).cost ? { dx: 0, dy: 0 } : { dx: expected.dx, dy: expected.dy });
  });
});
