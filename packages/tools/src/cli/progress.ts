import type { ProgressListener } from '@cmvc/codec';

/** A one-line progress bar on a TTY stream; a no-op elsewhere so logs and pipes stay clean. */
export function createProgressBar(stream: NodeJS.WriteStream): { listener: ProgressListener; done(): void } {
  if (!stream.isTTY) return { listener: () => undefined, done: () => undefined };
  let lastDrawn = 0;
  let lastLine = '';
  const width = 30;
  return {
    listener({ stage, fraction }) {
      const now = Date.now();
      if (now - lastDrawn < 100 && fraction < 1) return;
      lastDrawn = now;
      const filled = Math.round(fraction * width);
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${stage}`;
      if (line === lastLine) return;
      lastLine = line;
      stream.write(`\r${line.padEnd(60)}`);
    },
    done() {
      if (lastLine) stream.write('\n');
    },
  };
}
