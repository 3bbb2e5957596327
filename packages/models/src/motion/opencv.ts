import { createRequire } from 'node:module';
import { ModelError } from '../runtime/errors.ts';

/** A heap-backed OpenCV matrix; `delete()` must be called to free its memory. */
export interface CvMat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint8Array;
  readonly data32F: Float32Array;
  delete(): void;
}

export interface CvSize {
  readonly width: number;
  readonly height: number;
}

/** The part of the opencv.js API this package uses (the bundled `mirada` typings need DOM types). */
export interface OpenCv {
  readonly CV_8UC1: number;
  readonly CV_8UC3: number;
  readonly CV_32FC2: number;
  readonly OPTFLOW_USE_INITIAL_FLOW: number;
  readonly COLOR_RGB2GRAY: number;
  readonly INTER_AREA: number;
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  Size: new (width: number, height: number) => CvSize;
  cvtColor(src: CvMat, dst: CvMat, code: number): void;
  resize(src: CvMat, dst: CvMat, size: CvSize, fx: number, fy: number, interpolation: number): void;
  calcOpticalFlowFarneback(
    prev: CvMat,
    next: CvMat,
    flow: CvMat,
    pyrScale: number,
    levels: number,
    winsize: number,
    iterations: number,
    polyN: number,
    polySigma: number,
    flags: number,
  ): void;
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
const EMSCRIPTEN_HOOKED_EVENTS: readonly ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];
const INIT_TIMEOUT_MS = 120_000;

/**
 * The module is boxed because it has a `then` method: any promise resolved with the module
 * itself would treat it as a thenable and recurse forever.
 */
export interface OpenCvRuntime {
  readonly cv: OpenCv;
}

let loading: Promise<OpenCvRuntime> | undefined;

function initialise(): Promise<OpenCvRuntime> {
  const listeners = (event: ProcessEvent): Function[] => process.listeners(event as 'uncaughtException');
  const before = new Map(EMSCRIPTEN_HOOKED_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const module = createRequire(import.meta.url)('@techstark/opencv-js') as OpenCv & { onRuntimeInitialized?: () => void };
  // The emscripten runtime installs process-wide handlers that abort on any unhandled rejection
  // anywhere in the host process; the host owns that policy, so they are removed again.
  for (const event of EMSCRIPTEN_HOOKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  if (typeof module.Mat === 'function') return Promise.resolve({ cv: module });
  return new Promise<OpenCvRuntime>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ModelError('model-load-failed', `opencv.js runtime did not initialise within ${INIT_TIMEOUT_MS} ms`)),
      INIT_TIMEOUT_MS,
    );
    const previous = module.onRuntimeInitialized;
    module.onRuntimeInitialized = () => {
      previous?.();
      clearTimeout(timer);
      resolve({ cv: module });
    };
  });
}

/** The process-wide opencv.js runtime, loaded on first use and awaited until its WebAssembly is ready. */
export function loadOpenCv(): Promise<OpenCvRuntime> {
  loading ??= Promise.resolve().then(initialise).catch((cause: unknown) => {
    loading = undefined;
    if (cause instanceof ModelError) throw cause;
    throw new ModelError('model-load-failed', `opencv.js: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  });
  return loading;
}

/** Runs `body` and deletes every Mat it registered, whatever happens. */
export function withMats<T>(body: (track: <M extends CvMat>(mat: M) => M) => T): T {
  const mats: CvMat[] = [];
  try {
    return body((mat) => {
      mats.push(mat);
      return mat;
    });
  } finally {
    for (const mat of mats) mat.delete();
  }
}
