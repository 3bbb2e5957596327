'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, graphql, pollSignal, VIDEOS_QUERY, type PageInfo, type VideoSummary } from '../lib/api.ts';
import { formatBytes, formatPercent, formatRatio, formatResolution, formatTime } from '../lib/format.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { usePolling } from '../lib/use-interval.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { TagList } from './TagList.tsx';
import { LoadError, SkeletonList } from './Notices.tsx';

const PAGE_SIZE = 48;
const REFRESH_MS = 5000;
/** Faster while something is encoding, so its progress bar moves. */
const ENCODING_REFRESH_MS = 1500;

interface VideosData {
  videos: { totalCount: number; pageInfo: PageInfo; edges: { node: VideoSummary }[] };
}

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: VideosData['videos'] };

/** The archive's videos, newest first, refreshed while the page is open so encodes show up as they finish. */
export function Library() {
  const [videos, setVideos] = useState<Load>({ state: 'loading' });

  const load = useCallback(async () => {
    try {
      const data = await graphql<VideosData>(VIDEOS_QUERY, { first: PAGE_SIZE }, pollSignal());
      setVideos({ state: 'ready', value: data.videos });
    } catch (error) {
      setVideos((current) => (current.state === 'ready' ? current : { state: 'error', message: errorMessage(error) }));
    }
  }, []);

  const encoding = videos.state === 'ready' && videos.value.edges.some(({ node }) => node.status === 'QUEUED' || node.status === 'ENCODING');
  useEffect(() => {
    void load();
  }, [load]);
  usePolling(load, encoding ? ENCODING_REFRESH_MS : REFRESH_MS, true);

  return (
    <section aria-labelledby="videos-heading" aria-busy={videos.state === 'loading'}>
      <div className="section-head">
        <h2 id="videos-heading">
          Library {videos.state === 'ready' && <span className="muted count">{videos.value.totalCount} {videos.value.totalCount === 1 ? 'video' : 'videos'}</span>}
        </h2>
        <Link href="/ingest" className="button">
          Add videos
        </Link>
      </div>
      {videos.state === 'loading' && (
        <SkeletonList count={4} label="Loading videos" className="video-grid" itemClassName="video-card" />
      )}
      {videos.state === 'error' && (
        <LoadError message={`The library could not be loaded: ${videos.message}`} onRetry={() => void load()} />
      )}
      {videos.state === 'ready' && videos.value.edges.length === 0 && (
        <div className="empty-state">
          <p className="empty-title">The archive is empty.</p>
          <p className="muted">Add videos by dropping files or pasting links; they become searchable once encoded.</p>
          <Link href="/ingest" className="button button-primary">
            Add videos
          </Link>
        </div>
      )}
      {videos.state === 'ready' && videos.value.edges.length > 0 && (
        <ul className="video-grid" data-testid="video-list">
          {videos.value.edges.map(({ node }) => (
            <li key={node.id} className="video-card" data-status={node.status}>
              <Link href={`/videos/${encodeURIComponent(node.id)}`} className="video-card-link">
                <div className="thumb">
                  {node.thumbnailUrl ? (
                    <img src={node.thumbnailUrl} alt={`First keyframe of ${node.title}`} loading="lazy" />
                  ) : (
                    <div className="no-thumb" aria-hidden="true" />
                  )}
                  {node.durationSeconds != null && <span className="time-badge">{formatTime(node.durationSeconds)}</span>}
                </div>
                <div className="video-meta">
                  <p className="video-title">{node.title}</p>
                  <p className="muted small">
                    <StatusBadge status={node.status} /> {formatResolution(node.width, node.height)}
                    {node.status === 'ENCODING' && node.encodeProgress != null && <> · {formatPercent(node.encodeProgress)}</>}
                  </p>
                  {(node.status === 'QUEUED' || node.status === 'ENCODING') && (
                    <ProgressBar
                      label={`Encoding ${node.title}`}
                      fraction={node.status === 'ENCODING' ? node.encodeProgress : null}
                      className="card-progress"
                    />
                  )}
                  <p className="muted small">
                    {node.representationBytes != null ? (
                      <>
                        {formatBytes(node.sourceBytes)} → {formatBytes(node.representationBytes)} ·{' '}
                        <strong className="ratio">{formatRatio(node.sourceBytes, node.representationBytes)} smaller</strong>
                      </>
                    ) : (
                      <>source {formatBytes(node.sourceBytes)}</>
                    )}
                  </p>
                  <TagList tags={node.tags} />
                  {node.error && <p className="error small">{node.error}</p>}
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
