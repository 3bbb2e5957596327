/**
 * The describer's thread (see `ThreadedDescriber`): builds the configured models from
 * `workerData` and answers one message per description, with the stages it timed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EncodeProfile, withProfile } from '@cmvc/codec';
import { createModelSet, type ModelSettings } from '../registry.ts';
import type { DescribeReply, DescribeRequest } from './threaded.ts';

const port = parentPort;
if (!port) throw new Error('thread-main.ts runs as a worker thread');
const { describer } = createModelSet(workerData as ModelSettings);

port.on('message', (request: DescribeRequest) => {
  const profile = new EncodeProfile();
  const work = withProfile(profile, () => (request.kind === 'keyframe' ? describer.describeKeyframe(request.frame) : describer.describeMotion(request.clip)));
  work.then(
    (result) => port.postMessage({ id: request.id, result, stages: profile.stages() } satisfies DescribeReply),
    (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error), stages: profile.stages() } satisfies DescribeReply),
  );
});
