'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, graphql, SEARCH_QUERY, VIDEOS_QUERY, type Moment, type VideoSummary } from '../lib/api.ts';
import { formatBytes, formatTime } from '../lib/format.ts';

interface VideosResult {
  videos: { totalCount: number; edges: { node: VideoSummary }[] };
}
interface SearchResult {
  search: { edges: { node: Moment }[] };
}

type Load<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

function errorMessage(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : 'Something went wrong';
}

export default function ArchivePage() {
  const [videos, setVideos] = useState<Load<VideosResult['videos']>>({ state: 'loading' });
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Load<Moment[]> | null>(null);

  const loadVideos = useCallback(async () => {
    try {
      const data = await graphql<VideosResult>(VIDEOS_QUERY, { first: 60 });
      setVideos({ state: 'ready', value: data.videos });
    } catch (error) {
      setVideos({ state: 'error', message: errorMessage(error) });
    }
  }, []);

  useEffect(() => {
    void loadVideos();
    const timer = setInterval(() => void loadVideos(), 5000);
    return () => clearInterval(timer);
  }, [loadVideos]);

  async function search(event: FormEvent) {
    event.preventDefault();
    const text = query.trim();
    if (!text) {
      setResults(null);
      return;
    }
    setResults({ state: 'loading' });
    try {
      const data = await graphql<SearchResult>(SEARCH_QUERY, { query: text, first: 20 });
      setResults({ state: 'ready', value: data.search.edges.map((edge) => edge.node) });
    } catch (error) {
      setResults({ state: 'error', message: errorMessage(error) });
    }
  }

  return (
    <>
      <form className="search" role="search" onSubmit={search}>
        <label htmlFor="search-input" className="visually-hidden">
          Search the archive by meaning
        </label>
        <input
          id="search-input"
          type="search"
          placeholder="Search moments, e.g. “a person walks left to right”"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit">Search</button>
      </form>

      {results && (
        <section aria-labelledby="results-heading" className="results">
          <h2 id="results-heading">Moments</h2>
          {results.state === 'loading' && <p className="muted">Searching…</p>}
          {results.state === 'error' && <p role="alert" className="error">{results.message}</p>}
          {results.state === 'ready' && results.value.length === 0 && <p className="muted">No moments match.</p>}
          {results.state === 'ready' && (
            <ol className="moment-list" data-testid="search-results">
              {results.value.map((moment, position) => (
                <li key={`${moment.video.id}-${position}`} className="moment">
                  {moment.thumbnailUrl ? <img src={moment.thumbnailUrl} alt="" width={160} height={90} /> : <div className="no-thumb" />}
                  <div>
                    <p className="moment-title">
                      {moment.video.title}{' '}
                      <span className="muted">
                        {formatTime(moment.startSeconds)}–{formatTime(moment.endSeconds)}
                      </span>
                    </p>
                    <p className="caption" dangerouslySetInnerHTML={{ __html: moment.highlight }} />
                    <p className="muted small">
                      {moment.caption.kind === 'MOTION' ? 'motion' : 'content'} · score {moment.score.toFixed(3)}
                    </p>
                  </div>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}

      <section aria-labelledby="videos-heading">
        <h2 id="videos-heading">
          Archived videos {videos.state === 'ready' && <span className="muted">({videos.value.totalCount})</span>}
        </h2>
        {videos.state === 'loading' && <p className="muted">Loading…</p>}
        {videos.state === 'error' && <p role="alert" className="error">{videos.message}</p>}
        {videos.state === 'ready' && videos.value.edges.length === 0 && (
          <p className="muted">The archive is empty. Ingest videos through the GraphQL API.</p>
        )}
        {videos.state === 'ready' && (
          <ul className="video-grid" data-testid="video-list">
            {videos.value.edges.map(({ node }) => (
              <li key={node.id} className="video-card" data-status={node.status}>
                {node.thumbnailUrl ? (
                  <img src={node.thumbnailUrl} alt={`First keyframe of ${node.title}`} />
                ) : (
                  <div className="no-thumb" aria-hidden="true" />
                )}
                <div className="video-meta">
                  <p className="video-title">{node.title}</p>
                  <p className="muted small">
                    <span className={`status status-${node.status.toLowerCase()}`}>{node.status}</span> ·{' '}
                    {formatTime(node.durationSeconds)} · {node.width}×{node.height}
                  </p>
                  <p className="muted small">
                    source {formatBytes(node.sourceBytes)}
                    {node.representationBytes != null && <> → kept {formatBytes(node.representationBytes)}</>}
                  </p>
                  {node.error && <p className="error small">{node.error}</p>}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
