import { AsyncLocalStorage } from 'node:async_hooks';

/** Time one encode stage took, summed over its calls. */
export interface StageTiming {
  readonly stage: string;
  readonly calls: number;
  /** Wall-clock seconds inside the stage's calls (calls of one stage may overlap each other and other stages). */
  readonly wallSeconds: number;
  /**
   * CPU seconds this process (all its threads, onnxruntime's included) used while the stage ran.
   * Stages that overlap each share the CPU used meanwhile; child processes (ffmpeg) are not counted.
   */
  readonly cpuSeconds: number;
}

interface StageTotals {
  calls: number;
  wallMs: number;
  cpuMicros: number;
}

/**
 * Where an encode's time goes: wall and CPU time per named stage (decode, features, detection, …).
 * Stages nest (the describer's keyframe stage includes detection), so the rows do not add up to the
 * total; the total is the encode's own wall and CPU time.
 */
export class EncodeProfile {
  private readonly totals = new Map<string, StageTotals>();
  private readonly startedAt = performance.now();
  private readonly cpuAtStart = process.cpuUsage();

  add(stage: string, wallMs: number, cpuMicros: number): void {
    const totals = this.totals.get(stage) ?? { calls: 0, wallMs: 0, cpuMicros: 0 };
    totals.calls += 1;
    totals.wallMs += wallMs;
    totals.cpuMicros += cpuMicros;
    this.totals.set(stage, totals);
  }

  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    try {
      return await work();
    } finally {
      const used = process.cpuUsage(cpu);
      this.add(stage, performance.now() - wall, used.user + used.system);
    }
  }

  timeSync<T>(stage: string, work: () => T): T {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    try {
      return work();
    } finally {
      const used = process.cpuUsage(cpu);
      this.add(stage, performance.now() - wall, used.user + used.system);
    }
  }

  /** Adds stages timed elsewhere (another thread's profile), with their call counts. */
  merge(stages: readonly StageTiming[]): void {
    for (const { stage, calls, wallSeconds, cpuSeconds } of stages) {
      const totals = this.totals.get(stage) ?? { calls: 0, wallMs: 0, cpuMicros: 0 };
      totals.calls += calls;
      totals.wallMs += wallSeconds * 1000;
      totals.cpuMicros += cpuSeconds * 1e6;
      this.totals.set(stage, totals);
    }
  }

  /** Stages in the order they were first timed. */
  stages(): StageTiming[] {
    return [...this.totals.entries()].map(([stage, t]) => ({ stage, calls: t.calls, wallSeconds: t.wallMs / 1000, cpuSeconds: t.cpuMicros / 1e6 }));
  }

  /** Wall and CPU seconds since the profile was made. */
  total(): { wallSeconds: number; cpuSeconds: number } {
    const used = process.cpuUsage(this.cpuAtStart);
    return { wallSeconds: (performance.now() - this.startedAt) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  }
}

const currentProfile = new AsyncLocalStorage<EncodeProfile>();

/** Runs `work` with `profile` collecting the stages that code under it times with `profiled`. */
export function withProfile<T>(profile: EncodeProfile, work: () => T): T {
  return currentProfile.run(profile, work);
}

/** Times `work` as `stage` of the encode it runs in (see `withProfile`); outside one it just runs it. */
export function profiled<T>(stage: string, work: () => Promise<T>): Promise<T> {
  const profile = currentProfile.getStore();
  return profile ? profile.time(stage, work) : work();
}

export function profiledSync<T>(stage: string, work: () => T): T {
  const profile = currentProfile.getStore();
  return profile ? profile.timeSync(stage, work) : work();
}

/** Adds stages timed in another thread to the profile of the encode this runs in (if any). */
export function addProfiledStages(stages: readonly StageTiming[]): void {
  currentProfile.getStore()?.merge(stages);
}

/** Times each `next()` of `frames` as `stage`: how long the consumer waited for the source. */
export function profiledFrames<T>(stage: string, frames: AsyncIterable<T>): AsyncIterable<T> {
  const profile = currentProfile.getStore();
  if (!profile) return frames;
  return {
    [Symbol.asyncIterator]: () => {
      const iterator = frames[Symbol.asyncIterator]();
      return {
        next: () => profile.time(stage, () => iterator.next()),
        return: async (value?: unknown) => (await iterator.return?.(value)) ?? { done: true, value: undefined },
      };
    },
  };
}
