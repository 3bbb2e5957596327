/** Wall-clock seconds spent per stage, summed over a run (to show where the evaluation's time goes). */
export class StageTimer {
  readonly #seconds = new Map<string, number>();

  async time<T>(stage: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.#seconds.set(stage, (this.#seconds.get(stage) ?? 0) + (performance.now() - started) / 1000);
    }
  }

  /** Adds another timer's totals (a worker thread's). */
  add(totals: Readonly<Record<string, number>>): void {
    for (const [stage, seconds] of Object.entries(totals)) this.#seconds.set(stage, (this.#seconds.get(stage) ?? 0) + seconds);
  }

  get totals(): Record<string, number> {
    return Object.fromEntries([...this.#seconds.entries()].sort((a, b) => b[1] - a[1]).map(([stage, s]) => [stage, Math.round(s * 10) / 10]));
  }
}

export type TimeStage = <T>(stage: string, run: () => Promise<T>) => Promise<T>;
export const untimed: TimeStage = (_stage, run) => run();
