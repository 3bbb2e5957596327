import { Worker } from 'node:worker_threads';
import type { TextEmbedder } from '@cmvc/codec';
import type { ModelsConfig } from '@cmvc/config';

interface Reply {
  readonly vectors?: Float32Array[];
  readonly error?: string;
}

interface Request {
  readonly texts: readonly string[];
  resolve(vectors: Float32Array[]): void;
  reject(error: Error): void;
}

/**
 * The configured query embedder, run on a worker thread: a model forward pass takes tens of
 * milliseconds of CPU, which on the API's event loop would stall every other request. Requests
 * that arrive while the thread is busy go to it together as one batch (one forward pass).
 */
export class ThreadedTextEmbedder implements Pick<TextEmbedder, 'embed'> {
  private readonly worker: Worker;
  private queued: Request[] = [];
  private inFlight: Request[] | null = null;
  private failure: Error | null = null;

  constructor(settings: ModelsConfig) {
    // A worker thread does not inherit the TypeScript loader (tsx) of its parent: register it first.
    const entry = new URL('./embedder-worker.ts', import.meta.url).href;
    this.worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData: settings });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the embedder thread exited with code ${code}`)));
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queued.push({ texts, resolve, reject });
      this.flush();
    });
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }

  private flush(): void {
    if (this.inFlight || this.queued.length === 0) return;
    this.inFlight = this.queued;
    this.queued = [];
    this.worker.postMessage({ texts: this.inFlight.flatMap((request) => request.texts) });
  }

  private settle(reply: Reply): void {
    const batch = this.inFlight ?? [];
    this.inFlight = null;
    let offset = 0;
    for (const request of batch) {
      if (reply.error !== undefined) request.reject(new Error(reply.error));
      else request.resolve(reply.vectors!.slice(offset, offset + request.texts.length));
      offset += request.texts.length;
    }
    this.flush();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const request of [...(this.inFlight ?? []), ...this.queued]) request.reject(error);
    this.inFlight = null;
    this.queued = [];
  }
}
