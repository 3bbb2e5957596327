import { DomainError } from '../src/errors.ts';
import { describe, expect, it } from 'vitest';
import { Admission } from '../src/services/admission.ts';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const codeOf = (error: unknown) => (error instanceof DomainError ? error.code : undefined);

describe('Admission', () => {
  it('runs up to its concurrency, queues a bounded number in order, and answers BUSY beyond that', async () => {
    const admission = new Admission({ concurrency: 1, queueLimit: 1, queueTimeoutMs: 10_000 }, 'searches');
    const first = gate();
    const order: string[] = [];
    const running = admission.run(async () => {
      order.push('first');
      await first.opened;
    });
    const queued = admission.run(async () => void order.push('second'));
    const refused = await admission.run(async () => order.push('third')).catch((error: unknown) => error);
    expect(codeOf(refused)).toBe('BUSY');
    expect((refused as DomainError).details.retryAfterSeconds).toBeGreaterThan(0);
    first.open();
    await Promise.all([running, queued]);
    expect(order).toEqual(['first', 'second']);
  });

  it('answers BUSY to a caller that waited too long, and frees its place', async () => {
    const admission = new Admission({ concurrency: 1, queueLimit: 5, queueTimeoutMs: 50 }, 'searches');
    const blocker = gate();
    const running = admission.run(() => blocker.opened);
    expect(codeOf(await admission.run(async () => 'late').catch((error: unknown) => error))).toBe('BUSY');
    blocker.open();
    await running;
    expect(await admission.run(async () => 'next')).toBe('next');
  });
});
