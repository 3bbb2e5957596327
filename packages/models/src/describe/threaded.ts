import { Worker } from 'node:worker_threads';
import { addProfiledStages, type StageTiming } from '@cmvc/codec';
import type { ModelSettings } from '../registry.ts';
import { ModelError, type ModelErrorCode } from '../runtime/errors.ts';
import { motionSampleIndices } from './describer.ts';
import type { ClipFrames, ContentDescription, ImageFeatureExtractor, MotionDescription, RgbFrame, SceneDescriber, TimedFrame } from '../types.ts';

type DescribeWork =
  | { readonly kind: 'keyframe'; readonly frame: TimedFrame }
  | { readonly kind: 'motion'; readonly clip: ClipFrames }
  | { readonly kind: 'features'; readonly frames: readonly RgbFrame[] };
type DescribeResult = ContentDescription | MotionDescription | Float32Array[];
export type DescribeRequest = { readonly id: number } & DescribeWork;

export interface DescribeReply {
  readonly id: number;
  readonly result?: DescribeResult;
  /** A ModelError keeps its code across the thread; any other error is its message. */
  readonly error?: { readonly message: string; readonly code?: ModelErrorCode };
  /** The stages the thread timed for this description (detection, pose, motion, …). */
  readonly stages: readonly StageTiming[];
}

interface Pending {
  resolve(reply: DescribeReply): void;
  reject(error: Error): void;
}

/**
 * The configured describer, run on its own thread. Its models (ONNX Runtime runs them synchronously
 * on the calling thread), opencv.js flow and phrase logic would otherwise take turns with the
 * codec's planner, layer and weight fitting on the encode's one JavaScript thread; here they use
 * the second core. `features` puts the keyframe planner's feature extractor on the same thread.
 * The thread builds the models it runs itself, and only those (the models load on first use), so
 * the calling process must not run its own copies. Frames are copied to the thread (of a clip,
 * only those its motion is measured on); the stages it times are added to the encode's profile.
 */
export class ThreadedDescriber implements SceneDescriber {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private disposed = false;

  /** `id` is the describer's own (`createModelSet(settings).describer.id`): the thread describes exactly as it would. */
  constructor(
    private readonly settings: ModelSettings,
    readonly id: string,
  ) {}

  describeKeyframe(frame: TimedFrame): Promise<ContentDescription> {
    return this.call({ kind: 'keyframe', frame }) as Promise<ContentDescription>;
  }

  describeMotion(clip: ClipFrames): Promise<MotionDescription> {
    // Only the frames the thread's describer (default motionFrames) measures motion on are copied to
    // it: about 8 of a clip's 90, the same description for a tenth of the copying and of the thread's memory.
    const frames = motionSampleIndices(clip.frames).map((i) => clip.frames[i]!);
    return this.call({ kind: 'motion', clip: { frames, fps: clip.fps } }) as Promise<MotionDescription>;
  }

  /** `extractor` (the configured one, `createModelSet(settings).featureExtractor`), run on this thread. */
  features(extractor: Pick<ImageFeatureExtractor, 'id' | 'dimensions'>): ImageFeatureExtractor {
    return { id: extractor.id, dimensions: extractor.dimensions, embed: (frames) => this.call({ kind: 'features', frames }) as Promise<Float32Array[]> };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.rejectPending(new ModelError('disposed', 'the describer was disposed'));
    await worker?.terminate();
  }

  private async call(request: DescribeWork): Promise<DescribeResult> {
    if (this.disposed) throw new ModelError('disposed', 'the describer was disposed');
    const worker = this.started();
    const id = this.nextId++;
    const reply = await new Promise<DescribeReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Only a thread with work keeps the process alive.
      worker.ref();
      worker.postMessage({ id, ...request });
    });
    // Here, not in the message handler: this runs in the caller's encode, whose profile gets the stages.
    addProfiledStages(reply.stages);
    if (reply.error) throw reply.error.code ? new ModelError(reply.error.code, reply.error.message) : new Error(reply.error.message);
    return reply.result!;
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    // A worker thread does not inherit the TypeScript loader (tsx) of its parent: register it first.
    const entry = new URL('./thread-main.ts', import.meta.url).href;
    const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, {
      eval: true,
      workerData: this.settings,
    });
    worker.unref();
    worker.on('message', (reply: DescribeReply) => this.settle(reply));
    worker.on('error', (error) => this.lost(worker, new ModelError('inference-failed', `the describer thread failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.lost(worker, new ModelError('inference-failed', `the describer thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: DescribeReply): void {
    const request = this.pending.get(reply.id);
    if (!request) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    request.resolve(reply);
  }

  /** A thread that died fails what it held; the next description starts a new one. */
  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.rejectPending(error);
  }

  private rejectPending(error: Error): void {
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
  }
}
