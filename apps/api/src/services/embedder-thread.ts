import { Worker } from 'node:worker_threads';
import type { TextEmbedder } from '@cmvc/codec';

interface Reply {
  readonly id: number;
  readonly vectors?: Float32Array[];
  readonly error?: string;
}

/**
 * The configured query embedder, run on a worker thread: a model forward pass takes tens of
 * milliseconds of CPU, which on the API's event loop would stall every other request.
 */
export class ThreadedTextEmbedder implements Pick<TextEmbedder, 'embed'> {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(vectors: Float32Array[]): void; reject(error: Error): void }>();
  private nextId = 0;

  constructor() {
    this.worker = new Worker(new URL('./embedder-worker.ts', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const pending = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.error !== undefined) pending?.reject(new Error(reply.error));
      else pending?.resolve(reply.vectors!);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`the embedder thread exited with code ${code}`)));
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, texts });
    });
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const pending of this.waiting.values()) pending.reject(error);
    this.waiting.clear();
  }
}
