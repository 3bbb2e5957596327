import { afterAll, describe, expect, it } from 'vitest';
import { EncodeProfile, withProfile } from '@cmvc/codec';
import { loadToolConfig } from '@cmvc/config';
import { createModelSet } from '../src/registry.ts';
import { ThreadedDescriber } from '../src/describe/index.ts';
import { renderLavfi, texture } from './motion-fixtures.ts';

// The default models (detection, OCR, people), as the worker runs them.
const settings = loadToolConfig({}).models;
const models = createModelSet(settings);
const threaded = new ThreadedDescriber(settings, models.describer.id);

afterAll(async () => {
  await Promise.all([threaded.dispose(), models.dispose?.()]);
});

/** A threaded describer without models, and a frame for it: only the thread's life is under test. */
async function modelFreeThread(): Promise<{ own: ThreadedDescriber; frame: Awaited<ReturnType<typeof renderLavfi>>[number] }> {
  const bare = loadToolConfig({ CMVC_DETECTOR: 'none', CMVC_OCR: 'off', CMVC_PEOPLE: 'off' }).models;
  const [frame] = await renderLavfi('color=c=white:s=160x120', 160, 120, 1, 1);
  return { own: new ThreadedDescriber(bare, createModelSet(bare).describer.id), frame: frame! };
}

describe('the describer on its own thread', () => {
  it('describes keyframes and clips exactly as the describer in the calling thread does', async () => {
    const frames = await renderLavfi(`${texture(320, 180)},scroll=h=0.01`, 320, 180, 5, 2);
    const clip = { frames, fps: 5 };
    const [inThread, inProcess] = [
      await Promise.all([threaded.describeKeyframe(frames[0]!), threaded.describeMotion(clip)]),
      await Promise.all([models.describer.describeKeyframe(frames[0]!), models.describer.describeMotion(clip)]),
    ];
    expect(inThread).toEqual(inProcess);
    expect(inThread[1].camera.kind).toBe('pan');
  }, 120_000);

  it('runs the feature extractor on the same thread, with the same vectors', async () => {
    const frames = await renderLavfi('testsrc2=s=224x126', 224, 126, 5, 1);
    const extractor = models.featureExtractor!;
    const onThread = threaded.features(extractor);
    expect(onThread).toMatchObject({ id: extractor.id, dimensions: extractor.dimensions });
    const vectors = await onThread.embed(frames);
    expect(vectors).toHaveLength(frames.length);
    expect(vectors).toEqual(await extractor.embed(frames));
  }, 120_000);

  it("adds the thread's stages to the profile of the encode that asked", async () => {
    const [frame] = await renderLavfi('testsrc2=s=160x120', 160, 120, 1, 1);
    const profile = new EncodeProfile();
    await withProfile(profile, () => threaded.describeKeyframe(frame!));
    const other = new EncodeProfile();
    await withProfile(other, () => threaded.describeMotion({ frames: [frame!, { ...frame!, index: 1, time: 1 }], fps: 1 }));
    const stages = (p: EncodeProfile): string[] => p.stages().map((s) => s.stage);
    expect(stages(profile)).toContain('detection');
    expect(stages(profile)).not.toContain('motion (flow, tracks)');
    expect(stages(other)).toContain('motion (flow, tracks)');
  }, 120_000);

  it("rejects with the describer's error, and keeps working after it", async () => {
    const bad = { width: 2, height: 2, data: new Uint8Array(3), index: 0, time: 0 };
    await expect(threaded.describeKeyframe(bad)).rejects.toThrow(/2x2|RGB|bytes/u);
    await expect(threaded.describeKeyframe(bad)).rejects.toMatchObject({ name: 'ModelError', code: 'invalid-frame' });
    const [frame] = await renderLavfi('color=c=white:s=160x120', 160, 120, 1, 1);
    await expect(threaded.describeKeyframe(frame!)).resolves.toMatchObject({ text: expect.any(String) });
  }, 120_000);

  it('starts a new thread when its thread has died', async () => {
    const { own, frame } = await modelFreeThread();
    await own.describeKeyframe(frame);
    await (own as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(own.describeKeyframe(frame)).resolves.toMatchObject({ text: expect.any(String) });
    await own.dispose();
  }, 120_000);

  it('refuses work once disposed', async () => {
    const { own, frame } = await modelFreeThread();
    await own.describeKeyframe(frame);
    await own.dispose();
    await expect(own.describeKeyframe(frame)).rejects.toThrow(/disposed/u);
    await expect(own.describeKeyframe(frame)).rejects.toMatchObject({ code: 'disposed' });
  }, 120_000);
});
