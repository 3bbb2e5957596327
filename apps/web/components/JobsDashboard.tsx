'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, graphql, JOBS_DASHBOARD_QUERY, pollSignal, RETRY_JOB, type FailedJob, type JobQueue, type JobQueueName, type JobsDashboard as Dashboard } from '../lib/api.ts';
import { formatAgo, formatBytes, formatHours, formatRatio } from '../lib/format.ts';
import { usePolling } from '../lib/use-interval.ts';
import { MODES } from './RenditionPanel.tsx';
import { LoadError } from './Notices.tsx';

const REFRESH_MS = 3000;
const FAILED_PAGE = 20;
const FAILED_MAX = 100;

const QUEUES: Record<JobQueueName, { name: string; explanation: string }> = {
  ENCODE: { name: 'Encode', explanation: 'Sources into keyframes and text' },
  RENDER: { name: 'Render', explanation: 'Videos regenerated on request' },
  MAINTENANCE: { name: 'Maintenance', explanation: 'Storage tiering and upkeep' },
};

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; data: Dashboard; updatedAt: Date; refreshError: string | null };

function jobKey(job: Pick<FailedJob, 'queue' | 'id'>): string {
  return `${job.queue}:${job.id}`;
}

/** What a failed job was doing, in words. */
function jobSubject(job: FailedJob): string {
  if (job.queue === 'MAINTENANCE') return 'Storage tiering run';
  const title = job.video?.title ?? 'a deleted video';
  if (job.queue === 'ENCODE') return `Encoding “${title}”`;
  const mode = job.rendition ? MODES[job.rendition.mode].name.replace(/ \(.*\)$/, '') : 'a rendition';
  return `Regenerating “${title}” · ${mode}`;
}

/** Queue depth and throughput, archive totals, and failed jobs with a retry button; refreshed every few seconds. */
export function JobsDashboard() {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [failedFirst, setFailedFirst] = useState(FAILED_PAGE);
  const [retrying, setRetrying] = useState<ReadonlySet<string>>(new Set());
  const [retryErrors, setRetryErrors] = useState<ReadonlyMap<string, string>>(new Map());
  const [announcement, setAnnouncement] = useState('');
  const failedHeading = useRef<HTMLHeadingElement | null>(null);

  const refresh = useCallback(async () => {
    try {
      const data = await graphql<Dashboard>(JOBS_DASHBOARD_QUERY, { failedFirst }, pollSignal());
      setLoad({ state: 'ready', data, updatedAt: new Date(), refreshError: null });
    } catch (error) {
      const message = errorMessage(error);
      setLoad((current) => (current.state === 'ready' ? { ...current, refreshError: message } : { state: 'error', message }));
    }
  }, [failedFirst]);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  usePolling(refresh, REFRESH_MS, load.state !== 'error');

  async function retry(job: FailedJob) {
    const key = jobKey(job);
    setRetrying((current) => new Set(current).add(key));
    setRetryErrors((current) => {
      const next = new Map(current);
      next.delete(key);
      return next;
    });
    try {
      await graphql(RETRY_JOB, { queue: job.queue, id: job.id });
      setAnnouncement(`${jobSubject(job)}: retrying. It is back in the ${QUEUES[job.queue].name.toLowerCase()} queue.`);
      // The row goes away; keep keyboard focus in the list rather than losing it to the page.
      failedHeading.current?.focus();
      await refresh();
    } catch (error) {
      setRetryErrors((current) => new Map(current).set(key, errorMessage(error)));
    } finally {
      setRetrying((current) => {
        const next = new Set(current);
        next.delete(key);
        return next;
      });
    }
  }

  return (
    <div className="jobs-page">
      <div className="page-head">
        <div>
          <h1>Jobs and archive</h1>
          <p className="muted small">
            {load.state === 'ready' ? (
              <>
                <span className="live-dot" aria-hidden="true" /> Live · updated{' '}
                <time dateTime={load.updatedAt.toISOString()}>{load.updatedAt.toLocaleTimeString('en-GB')}</time>
              </>
            ) : (
              'Queues, throughput and failures, refreshed every few seconds.'
            )}
          </p>
        </div>
      </div>

      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>

      {load.state === 'loading' && (
        <div aria-busy="true">
          <p className="muted" role="status">
            Loading the dashboard…
          </p>
          <div className="stat-grid">
            {Array.from({ length: 4 }, (_, index) => (
              <div key={index} className="stat skeleton" aria-hidden="true" />
            ))}
          </div>
        </div>
      )}

      {load.state === 'error' && (
        <LoadError message={`The dashboard could not be loaded: ${load.message}`} onRetry={() => void refresh()} />
      )}

      {load.state === 'ready' && (
        <>
          {load.refreshError && (
            <div className="notice" role="status">
              <p>Live updates paused: {load.refreshError} Retrying…</p>
            </div>
          )}
          <Totals data={load.data} />
          <Queues data={load.data} />
          <section aria-labelledby="failed-heading" data-testid="failed-jobs">
            <div className="section-head">
              <h2 id="failed-heading" ref={failedHeading} tabIndex={-1}>
                Failed jobs <span className="muted count">{load.data.failedJobs.totalCount}</span>
              </h2>
            </div>
            {load.data.failedJobs.edges.length === 0 ? (
              <div className="empty-state empty-compact">
                <p className="empty-title">No failed jobs.</p>
                <p className="muted">Everything asked for has finished or is on its way.</p>
              </div>
            ) : (
              <>
                {!load.data.me?.scopes.includes('ADMIN') && <p className="muted small">Retrying a job needs an administrator account.</p>}
                <ul className="failed-list">
                  {load.data.failedJobs.edges.map(({ node: job }) => {
                    const key = jobKey(job);
                    const error = retryErrors.get(key);
                    const finished = job.finishedOn ? new Date(job.finishedOn) : null;
                    return (
                      <li key={key} className="failed-job" data-queue={job.queue} data-job-id={job.id} data-video-id={job.video?.id}>
                        <div className="failed-job-head">
                          <span className="queue-tag">{QUEUES[job.queue].name}</span>
                          <span className="failed-job-subject">
                            {job.video ? <Link href={`/videos/${encodeURIComponent(job.video.id)}`}>{jobSubject(job)}</Link> : jobSubject(job)}
                          </span>
                        </div>
                        <p className="failed-reason">{job.failedReason ?? 'No reason was recorded.'}</p>
                        <div className="failed-job-foot small">
                          <span className="muted">
                            {job.attemptsMade} {job.attemptsMade === 1 ? 'attempt' : 'attempts'}
                            {finished && (
                              <>
                                {' · failed '}
                                <time dateTime={finished.toISOString()} title={finished.toLocaleString('en-GB')}>
                                  {formatAgo(finished)}
                                </time>
                              </>
                            )}
                            {' · '}
                            <span className="mono">{job.id}</span>
                          </span>
                          {load.data.me?.scopes.includes('ADMIN') && (
                            <button
                              type="button"
                              className="button button-small"
                              disabled={retrying.has(key)}
                              aria-label={`Retry: ${jobSubject(job)}`}
                              onClick={() => void retry(job)}
                            >
                              {retrying.has(key) ? 'Retrying…' : 'Retry'}
                            </button>
                          )}
                        </div>
                        {error && (
                          <p role="alert" className="error small">
                            The retry failed: {error}
                          </p>
                        )}
                      </li>
                    );
                  })}
                </ul>
                {load.data.failedJobs.pageInfo.hasNextPage && failedFirst < FAILED_MAX && (
                  <div className="load-more">
                    <button type="button" className="button" onClick={() => setFailedFirst((count) => Math.min(FAILED_MAX, count + FAILED_PAGE))}>
                      Show more failed jobs
                    </button>
                  </div>
                )}
              </>
            )}
          </section>
        </>
      )}
    </div>
  );
}

function Totals({ data }: { data: Dashboard }) {
  const totals = data.archiveTotals;
  return (
    <section aria-labelledby="totals-heading">
      <h2 id="totals-heading">Archive</h2>
      <dl className="stat-grid" data-testid="archive-totals">
        <div className="stat">
          <dt>Hours archived</dt>
          <dd className="stat-value">{formatHours(totals.hoursArchived)}</dd>
          <dd className="muted small">
            {totals.readyCount} of {totals.videoCount} {totals.videoCount === 1 ? 'video' : 'videos'} ready
            {totals.inProgressCount > 0 && ` · ${totals.inProgressCount} encoding`}
            {totals.failedCount > 0 && ` · ${totals.failedCount} failed`}
          </dd>
        </div>
        <div className="stat">
          <dt>Kept</dt>
          <dd className="stat-value">{formatBytes(totals.representationBytes)}</dd>
          <dd className="muted small">
            of {formatBytes(totals.sourceBytes)} source
            {totals.representationBytes > 0 && (
              <>
                {' · '}
                <strong className="ratio">{formatRatio(totals.sourceBytes, totals.representationBytes)} smaller</strong>
              </>
            )}
          </dd>
        </div>
        <div className="stat">
          <dt>Saved by tiering</dt>
          <dd className="stat-value">{formatBytes(totals.bytesSavedByTiering)}</dd>
          <dd className="muted small">Images dropped from text-only videos</dd>
        </div>
      </dl>
    </section>
  );
}

function Queues({ data }: { data: Dashboard }) {
  const lastMinute = data.jobQueues.reduce((sum, queue) => sum + queue.completedLastMinute, 0);
  const lastHour = data.jobQueues.reduce((sum, queue) => sum + queue.completedLastHour, 0);
  return (
    <section aria-labelledby="queues-heading">
      <h2 id="queues-heading">Queues</h2>
      <dl className="stat-grid stat-grid-compact" data-testid="throughput">
        <div className="stat">
          <dt>Done in the last minute</dt>
          <dd className="stat-value">{lastMinute}</dd>
        </div>
        <div className="stat">
          <dt>Done in the last hour</dt>
          <dd className="stat-value">{lastHour}</dd>
        </div>
      </dl>
      <div className="table-scroll" role="region" aria-label="Jobs per queue" tabIndex={0}>
        <table className="queue-table" data-testid="queue-table">
          <caption className="visually-hidden">Jobs per queue and state</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Waiting</th>
              <th scope="col">Active</th>
              <th scope="col">Delayed</th>
              <th scope="col">Failed</th>
              <th scope="col">Done</th>
              <th scope="col">Last hour</th>
            </tr>
          </thead>
          <tbody>
            {data.jobQueues.map((queue) => (
              <tr key={queue.name} data-queue={queue.name}>
                <th scope="row">
                  {QUEUES[queue.name].name}
                  <span className="queue-explanation">{QUEUES[queue.name].explanation}</span>
                </th>
                <td data-state="waiting">{queue.waiting}</td>
                <td data-state="active" className={queue.active > 0 ? 'is-busy' : undefined}>
                  {queue.active}
                </td>
                <td data-state="delayed">{queue.delayed}</td>
                <td data-state="failed" className={queue.failed > 0 ? 'is-failed' : undefined}>
                  {queue.failed}
                </td>
                <td data-state="completed">{queue.completed}</td>
                <td data-state="last-hour">{queue.completedLastHour}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {/* The same numbers as cards, for phones (CSS shows one or the other). */}
      <ul className="queue-cards" data-testid="queue-cards">
        {data.jobQueues.map((queue) => (
          <li key={queue.name} className="queue-card" data-queue={queue.name}>
            <p className="queue-card-name">
              {QUEUES[queue.name].name} <span className="muted small">{QUEUES[queue.name].explanation}</span>
            </p>
            <dl>
              {QUEUE_COUNTS.map(({ label, count, tone }) => (
                <div key={label} className={tone?.(queue)}>
                  <dt>{label}</dt>
                  <dd>{count(queue)}</dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ul>
    </section>
  );
}

const QUEUE_COUNTS: { label: string; count(queue: JobQueue): number; tone?(queue: JobQueue): string | undefined }[] = [
  { label: 'Waiting', count: (queue) => queue.waiting },
  { label: 'Active', count: (queue) => queue.active, tone: (queue) => (queue.active > 0 ? 'is-busy' : undefined) },
  { label: 'Delayed', count: (queue) => queue.delayed },
  { label: 'Failed', count: (queue) => queue.failed, tone: (queue) => (queue.failed > 0 ? 'is-failed' : undefined) },
  { label: 'Done', count: (queue) => queue.completed },
  { label: 'Last hour', count: (queue) => queue.completedLastHour },
];
