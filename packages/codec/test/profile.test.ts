import { describe, expect, it } from 'vitest';
import { EncodeProfile, profiled, profiledSync, withProfile } from '../src/profile.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('EncodeProfile', () => {
  it('sums the calls and wall time of each stage timed under it, across awaits', async () => {
    const profile = new EncodeProfile();
    await withProfile(profile, async () => {
      await profiled('detection', () => sleep(30));
      await Promise.all([profiled('detection', () => sleep(30)), profiled('ocr', () => sleep(10))]);
      profiledSync('fit', () => {
        const start = process.cpuUsage();
        while (process.cpuUsage(start).user < 20_000);
      });
    });
    const stages = new Map(profile.stages().map((stage) => [stage.stage, stage]));
    expect([...stages.keys()]).toEqual(['detection', 'ocr', 'fit']);
    expect(stages.get('detection')).toMatchObject({ calls: 2 });
    expect(stages.get('detection')!.wallSeconds).toBeGreaterThanOrEqual(0.055);
    expect(stages.get('ocr')).toMatchObject({ calls: 1 });
    // A busy loop is CPU time; a sleep is not.
    expect(stages.get('fit')!.cpuSeconds).toBeGreaterThanOrEqual(0.02);
    expect(stages.get('detection')!.cpuSeconds).toBeLessThan(stages.get('detection')!.wallSeconds);
    expect(profile.total().wallSeconds).toBeGreaterThanOrEqual(0.08);
  });

  it('times nothing outside a profile, and keeps concurrent encodes apart', async () => {
    await profiled('outside', () => sleep(1));
    const first = new EncodeProfile();
    const second = new EncodeProfile();
    await Promise.all([
      withProfile(first, () => profiled('first only', () => sleep(5))),
      withProfile(second, async () => {
        await sleep(1);
        await profiled('second only', () => sleep(5));
      }),
    ]);
    expect(first.stages().map((stage) => stage.stage)).toEqual(['first only']);
    expect(second.stages().map((stage) => stage.stage)).toEqual(['second only']);
  });

  it('records a stage that fails and passes the error on', async () => {
    const profile = new EncodeProfile();
    await expect(withProfile(profile, () => profiled('ocr', () => Promise.reject(new Error('no model'))))).rejects.toThrow('no model');
    expect(profile.stages()).toMatchObject([{ stage: 'ocr', calls: 1 }]);
  });
});
