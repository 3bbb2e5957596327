import { createRequire } from 'node:module';
import { CodecError } from '../errors.ts';

/**
 * The small part of opencv.js (`@techstark/opencv-js` 4.5.2) that the IT2V model and the
 * models package's motion analysis use, typed locally (the bundled typings need DOM types).
 * This is the one loader of opencv.js in the process.
 */
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

export interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  Size: new (width: number, height: number) => CvSize;
  matFromArray(rows: number, cols: number, type: number, array: ArrayLike<number>): CvMat;
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
  readonly CV_8UC1: number;
  readonly CV_8UC3: number;
  readonly CV_32FC2: number;
  readonly OPTFLOW_USE_INITIAL_FLOW: number;
  readonly COLOR_RGB2GRAY: number;
  readonly INTER_AREA: number;
  readonly INTER_LINEAR: number;
}

interface EmscriptenModule {
  Mat?: unknown;
  onRuntimeInitialized?: () => void;
}

const INIT_TIMEOUT_MS = 60_000;

/** The module is boxed: it has a `then` method, so a promise resolved with it would never settle. */
export interface OpenCvRuntime {
  readonly cv: OpenCv;
}

let loading: Promise<OpenCvRuntime> | undefined;

/**
 * Loads the opencv.js wasm runtime once per process.
 *
 * The 4.5.2 build exports the Emscripten module object itself, which is a *thenable*
 * whose `then` hands back the same thenable; resolving a promise with it (or awaiting it)
 * never settles. So we wait for `onRuntimeInitialized` (chaining any callback another
 * loader in this process set) and resolve with a wrapper object; callers must keep it
 * wrapped (`const { cv } = await loadOpenCv()`).
 *
 * The build also installs process-wide 'uncaughtException' (rethrow) and
 * 'unhandledRejection' (abort the wasm runtime) listeners when it is required; a library
 * must not change how the host process handles errors, so those listeners are removed.
 */
export function loadOpenCv(): Promise<OpenCvRuntime> {
  loading ??= new Promise<OpenCvRuntime>((resolve, reject) => {
    const module = withoutNewProcessListeners(() => createRequire(import.meta.url)('@techstark/opencv-js') as EmscriptenModule);
    const cv = module as unknown as OpenCv;
    if (typeof module.Mat === 'function') {
      resolve({ cv });
      return;
    }
    const timer = setTimeout(() => reject(new Error(`runtime did not initialise within ${INIT_TIMEOUT_MS} ms`)), INIT_TIMEOUT_MS);
    const previous = module.onRuntimeInitialized;
    module.onRuntimeInitialized = () => {
      previous?.();
      clearTimeout(timer);
      resolve({ cv });
    };
  }).catch((cause: unknown) => {
    loading = undefined;
    throw new CodecError('INTERNAL', `could not load opencv.js: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  });
  return loading;
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

function withoutNewProcessListeners<T>(load: () => T): T {
  const emitter: NodeJS.EventEmitter = process;
  const before = PROCESS_EVENTS.map((event) => new Set(emitter.listeners(event)));
  try {
    return load();
  } finally {
    PROCESS_EVENTS.forEach((event, i) => {
      for (const listener of emitter.listeners(event)) {
        if (!before[i]?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    });
  }
}
