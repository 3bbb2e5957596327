/**
 * The describer's thread (see `ThreadedDescriber`): builds the configured models from
 * `workerData` and answers one message per description (or feature batch), with the stages it timed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EncodeProfile, withProfile } from '@cmvc/codec';
import { createModelSet, type ModelSettings } from '../registry.ts';
import { ModelError } from '../runtime/errors.ts';
import type { DescribeReply, DescribeRequest } from './threaded.ts';

const port = parentPort;
if (!port) throw new Error('thread-main.ts runs as a worker thread');
const { describer, featureExtractor } = createModelSet(workerData as ModelSettings);

function run(request: DescribeRequest): Promise<DescribeReply['result']> {
  if (request.kind === 'keyframe') return describer.describeKeyframe(request.frame);
  if (request.kind === 'motion') return describer.describeMotion(request.clip);
  if (!featureExtractor) throw new Error('no feature extractor is configured');
  return featureExtractor.embed(request.frames);
}

port.on('message', (request: DescribeRequest) => {
  const profile = new EncodeProfile();
  const work = withProfile(profile, async () => run(request));
  work.then(
    (result) => port.postMessage({ id: request.id, result, stages: profile.stages() } satisfies DescribeReply),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      const reply: DescribeReply = { id: request.id, error: error instanceof ModelError ? { message, code: error.code } : { message }, stages: profile.stages() };
      port.postMessage(reply);
    },
  );
});
