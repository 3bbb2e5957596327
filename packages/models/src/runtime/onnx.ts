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
  /**
   * Threads for one operator. The default is one, so concurrent analyzers do not oversubscribe a small
   * machine; on a busy 2-core machine two threads cost more CPU and were not faster (docs/BENCHMARKS.md, "ONNX models").
   */
  readonly threads?: number;
  /**
   * ONNX Runtime's CPU memory arena (its default: on). The arena keeps the largest activations a
   * session has needed for the life of the session, tens of MiB a model. Without it each run
   * allocates afresh, which costs CPU where a run's activations are large (MobileNetV2 at a batch of
   * 8, CenterNet at 512², the PP-OCR detector: 2–3× the CPU) and nothing measurable on the small
   * people models, USE-lite and the OCR recogniser (docs/BENCHMARKS.md, "Memory").
   */
  readonly memoryArena?: boolean;
}

/**
 * Memory patterns (ORT's plan of one block for all of a run's activations, reused across runs) are
 * off: without them CenterNet, MobileNetV2 and the PP-OCR detector hold 40–65 MiB less each and ran
 * no slower (docs/BENCHMARKS.md, "Memory").
 */
function sessionOptions(options: OnnxOptions): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableCpuMemArena: options.memoryArena ?? true,
    enableMemPattern: false,
  };
}

export async function loadOnnxSession(modelPath: string, options: OnnxOptions = {}): Promise<InferenceSession> {
  const ort = await loadOrt();
  return ort.InferenceSession.create(modelPath, sessionOptions(options));
}

/** A session for an ONNX model built in memory by the converters. */
export async function createOnnxSession(model: Uint8Array, options: OnnxOptions = {}): Promise<InferenceSession> {
  const ort = await loadOrt();
  try {
    return await ort.InferenceSession.create(model, sessionOptions(options));
  } catch (cause) {
    throw new ModelError('model-load-failed', `onnxruntime rejected the converted model: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
