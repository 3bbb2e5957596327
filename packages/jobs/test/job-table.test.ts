import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { checkJobTable, handlerFor, JOB_QUEUES, MAINTENANCE_JOBS, type AnyJobHandler, type JobTable } from '../src/index.ts';

const handler = (name: AnyJobHandler['name']): AnyJobHandler => ({ name, run: async () => {} }) as AnyJobHandler;
const complete: JobTable = [handler('encode'), handler('render'), handler('tiering'), handler('reconcile-blobs')];

describe('the job table', () => {
  it('accepts one handler per job name and finds each by the name and queue it is queued under', () => {
    const handlers = checkJobTable(complete);
    expect(handlerFor(handlers, 'encode', 'encode').name).toBe('encode');
    expect(handlerFor(handlers, 'render', 'render').name).toBe('render');
    expect(handlerFor(handlers, 'maintenance', 'reconcile-blobs').name).toBe('reconcile-blobs');
    expect(handlerFor(handlers, 'maintenance', 'tiering').name).toBe('tiering');
  });

  it('refuses a table with a job name missing, named twice, or not declared', () => {
    expect(() => checkJobTable(complete.filter((entry) => entry.name !== 'render'))).toThrow('Job table: no handler for the job "render"');
    expect(() => checkJobTable([handler('encode')])).toThrow('no handler for the jobs "render", "tiering", "reconcile-blobs"');
    expect(() => checkJobTable([...complete, handler('tiering')])).toThrow('Job table: the job "tiering" has two handlers');
    expect(() => checkJobTable([...complete, handler('transcode' as never)])).toThrow('"transcode" is not a declared job');
  });

  it('fails a job of an unknown name, or one on the wrong queue, without retries', () => {
    const handlers = checkJobTable(complete);
    expect(() => handlerFor(handlers, 'maintenance', 'vacuum')).toThrow(UnrecoverableError);
    expect(() => handlerFor(handlers, 'render', 'encode')).toThrow('No handler for the render job "encode"');
  });

  it('declares the maintenance schedules under their wire names', () => {
    for (const { name } of Object.values(MAINTENANCE_JOBS)) expect(JOB_QUEUES[name]).toBe('maintenance');
  });
});
