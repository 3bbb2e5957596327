/** Worker-thread side of ThreadedTextEmbedder: owns the model, answers each batch with one message. */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelsConfig } from '@cmvc/config';
import { createConfiguredTextEmbedder } from '@cmvc/models';

const embedder = createConfiguredTextEmbedder(workerData as ModelsConfig);
const port = parentPort!;

port.on('message', async ({ texts }: { texts: string[] }) => {
  try {
    port.postMessage({ vectors: await embedder.embed(texts) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
