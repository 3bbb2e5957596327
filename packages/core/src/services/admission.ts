import { DomainError } from '../errors.ts';

export interface AdmissionLimits {
  /** How many run at once. */
  readonly concurrency: number;
  /** How many may wait; beyond that a caller is answered BUSY at once. */
  readonly queueLimit: number;
  /** How long one may wait before it is answered BUSY. */
  readonly queueTimeoutMs: number;
}

/** Seconds a client is asked to wait after BUSY. */
const RETRY_AFTER_SECONDS = 1;

export function busyError(what: string): DomainError {
  return new DomainError('BUSY', `The server is busy with other ${what}; retry in ${RETRY_AFTER_SECONDS} s`, { retryAfterSeconds: RETRY_AFTER_SECONDS });
}

/**
 * Bounded admission for expensive work (searches): a fixed number run, a bounded number wait in
 * order, and the rest get a clear BUSY instead of timing out somewhere deeper (the database pool).
 */
export class Admission {
  private running = 0;
  private readonly queue: { admit(): void; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly what: string,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await work();
    } finally {
      this.leave();
    }
  }

  private enter(): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.queue.length >= this.limits.queueLimit) return Promise.reject(busyError(this.what));
    return new Promise((resolve, reject) => {
      const entry = {
        admit: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(entry), 1);
          reject(busyError(this.what));
        }, this.limits.queueTimeoutMs),
      };
      this.queue.push(entry);
    });
  }

  private leave(): void {
    const next = this.queue.shift();
    if (next) next.admit();
    else this.running -= 1;
  }
}
