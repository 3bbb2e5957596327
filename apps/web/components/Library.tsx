'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, graphql, VIDEOS_QUERY, type PageInfo, type VideoSummary } from '../lib/api.ts';
import { formatBytes, formatRatio, formatTime } from '../lib/format.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { TagList } from './TagList.tsx';

const PAGE_SIZE = 48;
const REFRESH_MS = 5000;

interface VideosData {
  videos: { totalCount: number; pageInfo: PageInfo; edges: { node: VideoSummary }[] };
}

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: VideosData['videos'] };

/** The archive's videos, newest first, refreshed while the page is open so encodes show up as they finish. */
export function Library() {
  const [videos, setVideos] = useState<Load>({ state: 'loading' });

  const load = useCallback(async () => {
    try {
      const data = await graphql<VideosData>(VIDEOS_QUERY, { first: PAGE_SIZE });
      setVideos({ state: 'ready', value: data.videos });
    } catch (error) {
      setVideos((current) => (current.state === 'ready' ? current : { state: 'error', message: errorMessage(error) }));
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

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
        <ul className="video-grid" aria-label="Loading videos">
          {Array.from({ length: 4 }, (_, index) => (
            <li key={index} className="video-card skeleton" aria-hidden="true" />
          ))}
        </ul>
      )}
      {videos.state === 'error' && (
        <div role="alert" className="notice notice-error">
          <p>The library could not be loaded: {videos.message}</p>
          <button type="button" className="button" onClick={() => void load()}>
            Try again
          </button>
        </div>
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
                  <span className="time-badge">{formatTime(node.durationSeconds)}</span>
                </div>
                <div className="video-meta">
                  <p className="video-title">{node.title}</p>
                  <p className="muted small">
                    <StatusBadge status={node.status} /> {node.width}×{node.height}
                  </p>
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
