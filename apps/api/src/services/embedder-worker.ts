/** Worker-thread side of ThreadedTextEmbedder: owns the model, answers one message per embed call. */
import { parentPort } from 'node:worker_threads';
import { createConfiguredTextEmbedder } from '@cmvc/models';

const embedder = createConfiguredTextEmbedder();
const port = parentPort!;

port.on('message', async ({ id, texts }: { id: number; texts: string[] }) => {
  try {
    port.postMessage({ id, vectors: await embedder.embed(texts) });
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
