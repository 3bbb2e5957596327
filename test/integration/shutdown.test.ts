/**
 * Graceful shutdown: on SIGTERM (docker stop, a deploy) the API and the worker finish on their own,
 * after serving a request, instead of being killed when the stop timeout runs out.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack | null = null;

beforeAll(async () => {
  // As deployed: vitest sets NODE_ENV=test, under which Apollo leaves termination signals alone.
  stack = await startStack({ env: { NODE_ENV: 'production' } });
  const worker = stack.startWorker();
  // Before it is ready the worker has nothing to finish, and SIGTERM simply ends it.
  let output = '';
  while (!output.includes('cmvc worker ready')) output += String((await once(worker.stdout!, 'data'))[0]);
});

afterAll(async () => {
  await stack?.stop();
});

it('the API and the worker exit with code 0 on SIGTERM, with a keep-alive connection still open', async () => {
  const answer = await stack!.graphql<{ videos: { edges: unknown[] } }>('{ videos(first: 1) { edges { cursor } } }');
  expect(answer.errors).toBeUndefined();
  const exits = await stack!.stop();
  stack = null;
  expect(exits.map(({ name, code, signal, killed }) => ({ name, code, signal, killed })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
    { name: 'api', code: 0, signal: null, killed: false },
    { name: 'worker', code: 0, signal: null, killed: false },
  ]);
});
