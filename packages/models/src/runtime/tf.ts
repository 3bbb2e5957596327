import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as TfNamespace from '@tensorflow/tfjs';
import { ModelError } from './errors.ts';
import { packageDir } from './paths.ts';

export type Tf = typeof TfNamespace;
export type GraphModel = TfNamespace.GraphModel;
export type LayersModel = TfNamespace.LayersModel;
type ModelJson = TfNamespace.io.ModelJSON;
type WeightsManifestConfig = TfNamespace.io.WeightsManifestConfig;

let tfPromise: Promise<Tf> | undefined;

/**
 * tfjs on the WebAssembly backend (tfjs-node cannot be installed here). Loaded on first use;
 * the .wasm binaries are read from the installed package, never fetched.
 */
export function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Emscripten in Node reads this prefix with fs, so a plain directory path works.
    wasm.setWasmPaths(path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + path.sep);
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('wasm'))) throw new ModelError('model-load-failed', 'tfjs wasm backend failed to initialise');
    await tf.ready();
    return tf;
  })().catch((cause: unknown) => {
    tfPromise = undefined;
    throw cause instanceof ModelError
      ? cause
      : new ModelError('model-load-failed', `tfjs: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  });
  return tfPromise;
}

/** Whether anything in this process has loaded tfjs (and so holds its WebAssembly heap). */
export function tfInitialised(): boolean {
  return tfPromise !== undefined;
}

/** Turns a model.json and its weight shards (in manifest order) into an IOHandler tfjs can load. */
export function artifactsHandler(tf: Tf, modelJson: ModelJson, readShard: (shardPath: string) => Promise<Uint8Array>): TfNamespace.io.IOHandler {
  return {
    load: () =>
      tf.io.getModelArtifactsForJSON(modelJson, async (manifest: WeightsManifestConfig) => {
        const specs = manifest.flatMap((group) => group.weights);
        const shards = await Promise.all(manifest.flatMap((group) => group.paths).map(readShard));
        const total = shards.reduce((sum, shard) => sum + shard.byteLength, 0);
        const weightData = new Uint8Array(total);
        let offset = 0;
        for (const shard of shards) {
          weightData.set(shard, offset);
          offset += shard.byteLength;
        }
        return [specs, weightData.buffer];
      }),
  };
}

/** IOHandler reading `model.json` and its shards (paths relative to it) from disk. */
export async function diskHandler(tf: Tf, modelJsonPath: string): Promise<TfNamespace.io.IOHandler> {
  let modelJson: ModelJson;
  try {
    modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  } catch (cause) {
    throw new ModelError('model-not-found', `cannot read ${modelJsonPath}`, { cause });
  }
  const dir = path.dirname(modelJsonPath);
  return artifactsHandler(tf, modelJson, async (shard) => new Uint8Array(await readFile(path.join(dir, shard))));
}

export async function loadGraphModelFromDisk(modelJsonPath: string): Promise<GraphModel> {
  const tf = await loadTf();
  return tf.loadGraphModel(await diskHandler(tf, modelJsonPath));
}

export async function loadLayersModelFromDisk(modelJsonPath: string): Promise<LayersModel> {
  const tf = await loadTf();
  return tf.loadLayersModel(await diskHandler(tf, modelJsonPath));
}
