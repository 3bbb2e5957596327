import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SOURCE = join(import.meta.dirname, '..', 'src');
/** In-memory helpers only: no process, file, network or environment access. */
const ALLOWED_NODE_MODULES = new Set(['node:zlib', 'node:async_hooks', 'node:module']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('the codec is a pure library', () => {
  const files = sources(SOURCE).map((path) => ({ path: relative(SOURCE, path), text: readFileSync(path, 'utf8') }));

  it('imports no Node module that spawns, reads files or talks to the network', () => {
    const imported = files.flatMap(({ path, text }) => [...text.matchAll(/from '(node:[^']+)'/g)].map((match) => `${path}: ${match[1]}`));
    expect(imported.filter((line) => !ALLOWED_NODE_MODULES.has(line.split(': ')[1]!))).toEqual([]);
  });

  it('takes media I/O only as ports: of @cmvc/media-io it imports the pure frames module alone', () => {
    const mediaIo = files.flatMap(({ path, text }) => [...text.matchAll(/from '(@cmvc\/media-io[^']*)'/g)].map((match) => `${path}: ${match[1]}`));
    expect(mediaIo.length).toBeGreaterThan(0);
    expect(mediaIo.filter((line) => !line.endsWith(': @cmvc/media-io/frames'))).toEqual([]);
  });

  it('reads no environment variable', () => {
    expect(files.filter(({ text }) => /process\.env/.test(text)).map(({ path }) => path)).toEqual([]);
  });
});
