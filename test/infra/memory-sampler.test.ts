/** bench/memory-sampler.ts: the encode benchmark's peak memory, measured from a process of its own. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startMemorySampler, type MemorySampler } from '../../bench/memory-sampler.ts';

const MiB = 2 ** 20;
let sampler: MemorySampler | undefined;

afterEach(async () => {
  await sampler?.close();
  sampler = undefined;
});

describe('bench/memory-sampler', () => {
  it("counts the root's descendants by kind", async () => {
    sampler = await startMemorySampler(process.pid);
    sampler.reset();
    // A child that holds 64 MiB resident for a moment.
    const holder = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(64 * 2 ** 20, 1); setTimeout(() => b.length, 1500);']);
    await once(holder, 'exit');
    const peak = await sampler.peak();
    expect(peak.children).toBeGreaterThan(64 * MiB);
    expect(peak.atPeak?.byChild).toHaveProperty('node');
    expect(peak.total).toBe(peak.atPeak!.own + peak.atPeak!.children);
    expect(peak.own).toBeGreaterThan(0);
  });

  it('forgets the peaks on reset', async () => {
    sampler = await startMemorySampler(process.pid);
    const holder = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(64 * 2 ** 20, 1); setTimeout(() => b.length, 1000);']);
    await once(holder, 'exit');
    expect((await sampler.peak()).children).toBeGreaterThan(64 * MiB);
    sampler.reset();
    // The sampler is a child of this process too (with tsx's esbuild under it), and is left out.
    expect((await sampler.peak()).children).toBe(0);
  });
});
