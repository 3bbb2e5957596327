import { UnrecoverableError, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import { QUEUES, type EncodeJobData, type RenderJobData } from './index.ts';
import { QUEUE_NAMES, type QueueName } from './monitor.ts';

/** Maintenance jobs are started by a schedule and carry no payload. */
export type MaintenanceJobData = Record<string, never>;

/**
 * Every job by the name it is queued under, with its queue and payload. Names and payloads are
 * the wire format: jobs queued by an older build must still run, so they only ever gain fields.
 */
export interface JobDefinitions {
  readonly encode: { readonly queue: 'encode'; readonly payload: EncodeJobData };
  readonly render: { readonly queue: 'render'; readonly payload: RenderJobData };
  readonly tiering: { readonly queue: 'maintenance'; readonly payload: MaintenanceJobData };
  readonly 'reconcile-blobs': { readonly queue: 'maintenance'; readonly payload: MaintenanceJobData };
}

export type JobName = keyof JobDefinitions;
export type JobPayload<N extends JobName> = JobDefinitions[N]['payload'];

/** The queue of each job name, at run time (the compiler checks it against JobDefinitions). */
export const JOB_QUEUES: { readonly [N in JobName]: JobDefinitions[N]['queue'] } = {
  encode: 'encode',
  render: 'render',
  // MAINTENANCE_JOBS' names (not referenced here: index.ts re-exports this module, so it is not evaluated yet).
  tiering: 'maintenance',
  'reconcile-blobs': 'maintenance',
};

const JOB_NAMES = Object.keys(JOB_QUEUES) as JobName[];

/** What runs one job name; declared next to the service that owns the job. */
export interface JobHandler<N extends JobName = JobName> {
  readonly name: N;
  /** Runs one job; throw BullMQ's UnrecoverableError for a failure no retry can fix. */
  run(job: Job<JobPayload<N>>): Promise<unknown>;
  /** Called once a job has failed for the last time (its retries used up, or unrecoverable). */
  failed?(payload: JobPayload<N>, reason: string): Promise<void>;
}

/** A handler of any one job name, its payload type kept. */
export type AnyJobHandler = { [N in JobName]: JobHandler<N> }[JobName];

/** The job table a worker registers: exactly one handler per job name. */
export type JobTable = readonly AnyJobHandler[];

/**
 * The handlers by name, or a clear error when a job name has no handler, has two, or is not a
 * declared job; checked before any worker starts, so a worker never takes a job it cannot run.
 */
export function checkJobTable(table: JobTable): ReadonlyMap<JobName, JobHandler> {
  const byName = new Map<JobName, JobHandler>();
  for (const handler of table) {
    if (!Object.hasOwn(JOB_QUEUES, handler.name)) throw new Error(`Job table: "${handler.name}" is not a declared job (see JobDefinitions in @cmvc/jobs)`);
    if (byName.has(handler.name)) throw new Error(`Job table: the job "${handler.name}" has two handlers`);
    byName.set(handler.name, handler as JobHandler);
  }
  const missing = JOB_NAMES.filter((name) => !byName.has(name));
  if (missing.length > 0) throw new Error(`Job table: no handler for the job${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')}`);
  return byName;
}

/** The handler for a job taken from `queue`; a job of an unknown name fails at once rather than being retried. */
export function handlerFor(handlers: ReadonlyMap<JobName, JobHandler>, queue: QueueName, jobName: string): JobHandler {
  const handler = handlers.get(jobName as JobName);
  if (!handler || JOB_QUEUES[handler.name] !== queue) throw new UnrecoverableError(`No handler for the ${queue} job "${jobName}"`);
  return handler;
}

export type JobWorkerOptions = Omit<WorkerOptions, 'connection' | 'autorun'> & { readonly connection: ConnectionOptions };

/**
 * Registers a job table: checks it, then starts one BullMQ worker per queue that hands each job
 * to the handler of its name. A worker killed mid-job stops renewing its lock, and the job goes
 * back to the queue once `lockDuration` passes (stalled-job recovery), for any worker process.
 */
export function startJobWorkers(table: JobTable, options: JobWorkerOptions): Worker[] {
  const handlers = checkJobTable(table);
  return QUEUE_NAMES.map((queue) => {
    const worker = new Worker(QUEUES[queue], (job) => handlerFor(handlers, queue, job.name).run(job), options);
    worker.on('failed', (job, error) => {
      if (!job) return;
      const attempts = job.opts.attempts ?? 1;
      const final = error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
      console.error(`${queue} ${job.id} failed (attempt ${job.attemptsMade}/${attempts}): ${error.message}`);
      const handler = handlers.get(job.name as JobName);
      if (final && handler?.failed) void handler.failed(job.data, error.message).catch((cause: unknown) => console.error(cause));
    });
    worker.on('completed', (job) => console.log(`${queue} ${job.id} done`));
    worker.on('error', (error) => console.error(`${queue} worker error`, error));
    return worker;
  });
}
