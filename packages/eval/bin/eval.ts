#!/usr/bin/env -S node --import tsx
/** `npm run eval [-- DIR] [options]`: regenerates docs/RESULTS.md and docs/results/. */
import { setMaxListeners } from 'node:events';
import { evalCommand } from '../src/cli.ts';
import { EvalError } from '../src/errors.ts';

const controller = new AbortController();
// Every concurrent ffmpeg child listens on the one signal.
setMaxListeners(64, controller.signal);
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

try {
  process.exitCode = await evalCommand.run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
} catch (error) {
  const code = error instanceof EvalError ? error.code : 'code' in (error as object) ? String((error as { code: unknown }).code) : 'INTERNAL';
  process.stderr.write(`cmvc eval: ${code}: ${(error as Error).message}\n`);
  process.exitCode = error instanceof EvalError && error.code === 'INVALID_OPTIONS' ? 2 : 1;
}
