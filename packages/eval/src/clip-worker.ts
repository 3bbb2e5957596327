/**
 * Evaluates one clip in a worker thread (see `runEvaluation`): the JavaScript side of a clip (CMVC
 * encoding, MS-SSIM, feature extraction) is single-threaded, so clips in separate threads use both
 * cores. Receives `{ clip, folder, options }`, posts `{ type: 'log', line }` and finally
 * `{ type: 'done', state, stages }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createToolkit, evaluateClip, type EvalOptions } from './runner.ts';

const { clip, folder, options } = workerData as { clip: string; folder: string; options: EvalOptions };
const toolkit = createToolkit(options.tools);
try {
  const state = await evaluateClip(clip, folder, toolkit, options, (line) => parentPort!.postMessage({ type: 'log', line }));
  parentPort!.postMessage({ type: 'done', state, stages: toolkit.timer.totals });
} finally {
  await toolkit.dispose().catch(() => undefined);
}
