#!/usr/bin/env -S node --import tsx
import { ConfigError, loadToolConfig } from '@cmvc/config';
import { mediaIo } from '@cmvc/media-io';
import { runCli } from '../src/cli/main.ts';

// The CLI's composition root: the only place it reads configuration.
let config;
try {
  config = loadToolConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`cmvc: ${error.message}\n`);
  process.exit(2);
}
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal, debug: config.debug, mediaIo: mediaIo(config.ffmpeg) });
