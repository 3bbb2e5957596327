import type { InferenceSession } from 'onnxruntime-node';
import { ModelError } from './errors.ts';

export type Ort = typeof import('onnxruntime-node');
export type { InferenceSession };

let ortPromise: Promise<Ort> | undefined;

export function loadOrt(): Promise<Ort> {
  ortPromise ??= import('onnxruntime-node').catch((cause: unknown) => {
    ortPromise = undefined;
    throw new ModelError('model-load-failed', `onnxruntime-node: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  });
  return ortPromise;
}

export interface OnnxOptions {
  /** Threads for one operator; the default keeps to one so concurrent analyzers don't oversubscribe a small machine. */
  readonly threads?: number;
}

export async function loadOnnxSession(modelPath: string, options: OnnxOptions = {}): Promise<InferenceSession> {
  const ort = await loadOrt();
  return ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
}

/** A session for an ONNX model built in memory (by the converters), with the same options as loadOnnxSession. */
export async function createOnnxSession(model: Uint8Array, options: OnnxOptions = {}): Promise<InferenceSession> {
  const ort = await loadOrt();
  try {
    return await ort.InferenceSession.create(model, {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (cause) {
    throw new ModelError('model-load-failed', `onnxruntime rejected the converted model: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
