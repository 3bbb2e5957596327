import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startStack, type Stack } from '../test/support/stack.ts';
import { machineInfo, onInterrupt, startPrivateServices, type MachineInfo, type PrivateServices } from './lib.ts';

export interface BenchStack {
  readonly services: PrivateServices;
  readonly stack: Stack;
  readonly info: MachineInfo;
  /** An empty folder for the benchmark's media, removed afterwards. */
  readonly mediaDir: string;
}

/**
 * Runs `work` against private PostgreSQL and Redis and the API over them, with AUTH=off (auth is not
 * what these benchmarks measure); stops and removes all of it afterwards, also on Ctrl-C.
 */
export async function withBenchStack(label: string, work: (bench: BenchStack) => Promise<void>): Promise<void> {
  const services = await startPrivateServices(label);
  const mediaDir = await mkdtemp(join('/tmp', 'cmvc-bench-media-'));
  let stack: Stack | null = null;
  try {
    const info = await machineInfo(services.databaseUrl);
    process.env.DATABASE_URL = services.databaseUrl;
    process.env.REDIS_URL = services.redisUrl;
    stack = await startStack({ env: { AUTH: 'off' } });
    const running = stack;
    onInterrupt(() => running.stop());
    await work({ services, stack, info, mediaDir });
  } finally {
    await stack?.stop();
    await rm(mediaDir, { recursive: true, force: true });
    await services.stop();
  }
}
