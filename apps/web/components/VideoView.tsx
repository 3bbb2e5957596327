'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, graphql, pollSignal, VIDEO_PROGRESS_QUERY, VIDEO_QUERY, type Rendition, type Scope, type VideoDetail } from '../lib/api.ts';
import { formatBytes, formatPercent, formatResolution, formatTime, formatTimePrecise } from '../lib/format.ts';
import { usePolling } from '../lib/use-interval.ts';
import { DemoteControl } from './DemoteControl.tsx';
import { VideoManageControls } from './VideoManageControls.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { RenditionPanel, renditionLabel } from './RenditionPanel.tsx';
import { RenditionPlayer } from './RenditionPlayer.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { StorageChart } from './StorageChart.tsx';
import { TagList } from './TagList.tsx';
import { Timeline } from './Timeline.tsx';
import { LoadError } from './Notices.tsx';

type Load =
  | { state: 'loading' }
  | { state: 'missing' }
  | { state: 'error'; message: string }
  | { state: 'ready'; video: VideoDetail; canAdminister: boolean; canEdit: boolean };

type Progress = Pick<
  VideoDetail,
  'id' | 'status' | 'error' | 'encodeProgress' | 'durationSeconds' | 'fps' | 'width' | 'height' | 'frameCount' | 'representationBytes' | 'bitstreamUrl' | 'renditions'
>;

const POLL_MS = 1000;

function busy(video: VideoDetail): boolean {
  return video.status === 'QUEUED' || video.status === 'ENCODING' || video.renditions.some((r) => r.status === 'QUEUED' || r.status === 'RENDERING');
}

function mergeRendition(renditions: readonly Rendition[], next: Rendition): Rendition[] {
  return renditions.some((r) => r.id === next.id) ? renditions.map((r) => (r.id === next.id ? next : r)) : [...renditions, next];
}

const isRendering = (rendition: Rendition): boolean => rendition.status === 'QUEUED' || rendition.status === 'RENDERING';

/** READY with its file, or still rendering with its HLS stream (which plays what is rendered so far). */
const playable = (rendition: Rendition): boolean => (rendition.status === 'READY' && rendition.url !== null) || (isRendering(rendition) && rendition.streamUrl !== null);

function newestReady(renditions: readonly Rendition[]): Rendition | undefined {
  return [...renditions].filter((r) => r.status === 'READY' && r.url).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

export function VideoView({ id, initialMoment }: { id: string; initialMoment: number | null }) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [moment, setMoment] = useState<number | null>(initialMoment);
  const [playhead, setPlayhead] = useState<number | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  /** The rendition just requested here: it starts playing by itself. */
  const [autoPlayId, setAutoPlayId] = useState<string | null>(null);
  const player = useRef<HTMLVideoElement | null>(null);
  /** Where the player was, so switching a rendition from its stream to its finished file keeps the place. */
  const position = useRef<{ id: string; seconds: number; playing: boolean } | null>(null);

  const fetchVideo = useCallback(async () => {
    try {
      const data = await graphql<{ me: { scopes: Scope[] } | null; video: VideoDetail | null }>(VIDEO_QUERY, { id });
      const scopes = data.me?.scopes ?? [];
      setLoad(data.video ? { state: 'ready', video: data.video, canAdminister: scopes.includes('ADMIN'), canEdit: scopes.includes('INGEST') } : { state: 'missing' });
    } catch (error) {
      setLoad({ state: 'error', message: errorMessage(error) });
    }
  }, [id]);

  useEffect(() => {
    void fetchVideo();
  }, [fetchVideo]);

  const video = load.state === 'ready' ? load.video : null;

  // While encoding or rendering, poll the small progress query; refetch everything when an encode finishes.
  usePolling(
    async () => {
      if (!video) return;
      try {
        const data = await graphql<{ video: Progress | null }>(VIDEO_PROGRESS_QUERY, { id }, pollSignal());
        const progress = data.video;
        if (!progress) return setLoad({ state: 'missing' });
        if (progress.status !== video.status && progress.status === 'READY') return fetchVideo();
        // Fold the answer in by id: a rendition requested while this poll was on its way is not in it yet.
        setLoad((current) =>
          current.state === 'ready'
            ? { ...current, video: { ...current.video, ...progress, renditions: progress.renditions.reduce(mergeRendition, current.video.renditions) } }
            : current,
        );
      } catch {
        // A missed poll is retried on the next tick.
      }
    },
    POLL_MS,
    video != null && busy(video),
  );

  const ready = video ? newestReady(video.renditions) : undefined;
  const selected =
    video?.renditions.find((r) => r.id === selectedId && playable(r)) ?? ready ?? video?.renditions.find((r) => isRendering(r) && playable(r));

  const seek = useCallback((seconds: number) => {
    setMoment(seconds);
    const url = new URL(window.location.href);
    url.searchParams.set('t', String(Number(seconds.toFixed(3))));
    window.history.replaceState(window.history.state, '', url);
    if (player.current && player.current.readyState >= 1) player.current.currentTime = seconds;
  }, []);

  if (load.state === 'loading') {
    return (
      <div className="video-page" aria-busy="true">
        <p className="muted" role="status">
          Loading video…
        </p>
        <div className="player-frame skeleton" />
      </div>
    );
  }
  if (load.state === 'missing') {
    return (
      <div className="empty-state">
        <h1 className="empty-title">This video is not in the archive.</h1>
        <p className="muted">It may have been removed, or the link is mistyped.</p>
        <Link href="/" className="button button-primary">
          Back to search
        </Link>
      </div>
    );
  }
  if (load.state === 'error') {
    return <LoadError message={`The video could not be loaded: ${load.message}`} onRetry={() => void fetchVideo()} />;
  }

  const v = load.video;
  const keyframeBytes = v.keyframes.reduce((sum, keyframe) => sum + keyframe.bytes, 0);
  const hasKeyframeImages = v.keyframes.some((keyframe) => keyframe.url);
  const readyRenditions = v.renditions.filter((r) => r.status === 'READY' && r.url);
  const rendering = v.renditions.find((r) => r.status === 'QUEUED' || r.status === 'RENDERING');
  const resolution = formatResolution(v.width, v.height);
  // Media facts arrive when the encode job probes the source.
  const unknown = <span className="muted">once encoded</span>;

  return (
    <div className="video-page">
      <div className="page-head">
        <div>
          <Link href="/" className="back-link">
            ← Search
          </Link>
          <h1 className="video-heading">{v.title}</h1>
          <p className="muted small">
            <StatusBadge status={v.status} />{' '}
            {[v.durationSeconds != null ? formatTime(v.durationSeconds) : null, resolution, `${v.keyframes.length} keyframes`].filter(Boolean).join(' · ')}
            {moment != null && <> · moment at {formatTimePrecise(moment)}</>}
          </p>
          <TagList tags={v.tags} />
          <VideoManageControls video={v} canEdit={load.canEdit} canDelete={load.canAdminister} onChanged={() => void fetchVideo()} />
        </div>
        {v.bitstreamUrl && (
          <a className="button" href={v.bitstreamUrl} download>
            Download .cmvc{v.representationBytes != null && ` (${formatBytes(v.representationBytes)})`}
          </a>
        )}
        {v.captionsUrl && (
          <a className="button" href={v.captionsUrl} download>
            Captions (.vtt)
          </a>
        )}
      </div>

      {(v.status === 'QUEUED' || v.status === 'ENCODING') && (
        <div className="notice" role="status">
          <p>
            {v.status === 'QUEUED' ? 'Waiting to be encoded…' : 'Encoding: choosing keyframes and describing them…'}
            {v.status === 'ENCODING' && v.encodeProgress != null && <span className="muted"> {formatPercent(v.encodeProgress)}</span>}
          </p>
          <ProgressBar label="Encoding" fraction={v.status === 'ENCODING' ? v.encodeProgress : null} />
        </div>
      )}
      {v.status === 'FAILED' && (
        <div className="notice notice-error" role="alert">
          <p>Encoding failed{v.error ? `: ${v.error}` : '.'}</p>
        </div>
      )}

      <div className="video-layout">
        <div className="video-main">
          <section aria-labelledby="player-heading" className="player-section">
            <h2 id="player-heading" className="visually-hidden">
              Player
            </h2>
            {selected ? (
              <figure className="player-frame" style={v.width && v.height ? { ['--video-aspect' as string]: `${v.width} / ${v.height}` } : undefined}>
                <RenditionPlayer
                  key={`${selected.id}:${selected.status === 'READY' ? 'file' : 'stream'}`}
                  rendition={selected}
                  playerRef={player}
                  startAt={position.current?.id === selected.id ? position.current.seconds : moment}
                  autoPlay={autoPlayId === selected.id || (position.current?.id === selected.id && position.current.playing)}
                  label={`Regenerated video: ${renditionLabel(selected)}`}
                  onTime={(seconds, playing) => {
                    position.current = { id: selected.id, seconds, playing };
                    setPlayhead(seconds);
                  }}
                />
                <figcaption className="muted small">
                  {selected.status === 'READY' ? 'Regenerated' : `Regenerating (${Math.round(selected.progress * 100)}%), playing what is ready`} · {renditionLabel(selected)}
                </figcaption>
              </figure>
            ) : (
              <div className="player-frame player-empty">
                {rendering ? (
                  <div className="player-empty-inner" role="status">
                    <p>
                      {rendering.status === 'QUEUED' ? 'Waiting for a worker' : 'Regenerating'} · {renditionLabel(rendering)}
                    </p>
                    <ProgressBar label="Regenerating the video" fraction={rendering.status === 'QUEUED' ? null : rendering.progress} className="progress-large" />
                    <p className="muted small">{Math.round(rendering.progress * 100)}%</p>
                  </div>
                ) : (
                  <div className="player-empty-inner">
                    <p>The original pixels are not kept.</p>
                    <p className="muted small">Choose a fidelity under “Regenerate” to watch this video.</p>
                  </div>
                )}
              </div>
            )}
          </section>

          <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline</h2>
            <Timeline keyframes={v.keyframes} clips={v.clips} speech={v.speech} durationSeconds={v.durationSeconds ?? 0} moment={moment} playhead={playhead} onSelect={seek} />
          </section>

          {readyRenditions.length > 1 && <Comparison renditions={readyRenditions} moment={moment} />}
        </div>

        <aside className="video-side" aria-label="Regeneration and facts">
          <RenditionPanel
            videoId={v.id}
            ready={v.status === 'READY'}
            hasKeyframeImages={hasKeyframeImages || v.keyframes.length === 0}
            sourceSize={resolution ?? 'the source size'}
            renditions={v.renditions}
            selectedId={selected?.id ?? null}
            onRequested={(rendition) => {
              setLoad((current) => (current.state === 'ready' ? { ...current, video: { ...current.video, renditions: mergeRendition(current.video.renditions, rendition) } } : current));
              setSelectedId(rendition.id);
              setAutoPlayId(rendition.id);
            }}
            onPlay={setSelectedId}
          />

          <section className="panel" aria-labelledby="storage-heading">
            <h2 id="storage-heading">Storage</h2>
            {v.representationBytes != null ? (
              <StorageChart sourceBytes={v.sourceBytes} representationBytes={v.representationBytes} sections={v.representationSections} />
            ) : (
              <p className="muted small">The kept size is known once encoding finishes. Source: {formatBytes(v.sourceBytes)}.</p>
            )}
            <p className="tier small">
              <span className="muted">Tier</span>{' '}
              {v.tier === 'FULL' ? (
                <strong>Full · keyframes and text</strong>
              ) : (
                <strong>Text only</strong>
              )}
              {v.bytesSavedByTiering > 0 && <span className="muted"> · {formatBytes(v.bytesSavedByTiering)} freed</span>}
            </p>
            {load.canAdminister && v.status === 'READY' && v.tier === 'FULL' && hasKeyframeImages && (
              <DemoteControl videoId={v.id} imageBytes={keyframeBytes} onDemoted={() => void fetchVideo()} />
            )}
          </section>

          <section className="panel" aria-labelledby="facts-heading">
            <h2 id="facts-heading">Source</h2>
            <dl className="facts">
              <dt>Duration</dt>
              <dd>{v.durationSeconds != null ? formatTimePrecise(v.durationSeconds) : unknown}</dd>
              <dt>Resolution</dt>
              <dd>{resolution ?? unknown}</dd>
              <dt>Frame rate</dt>
              <dd>{v.fps != null ? `${Number(v.fps.toFixed(3))} fps` : unknown}</dd>
              <dt>Frames</dt>
              <dd>{v.frameCount != null ? v.frameCount.toLocaleString('en-US') : unknown}</dd>
              <dt>Keyframes</dt>
              <dd>{v.keyframes.length}</dd>
              <dt>Source size</dt>
              <dd>{formatBytes(v.sourceBytes)}</dd>
              <dt>Added</dt>
              <dd>
                <time dateTime={v.createdAt}>{new Date(v.createdAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}</time>
              </dd>
              <dt>SHA-256</dt>
              <dd className="mono" title={v.sha256}>
                {v.sha256.slice(0, 16)}…
              </dd>
            </dl>
          </section>
        </aside>
      </div>
    </div>
  );
}

/** Every READY rendition side by side, started together from the current moment. */
function Comparison({ renditions, moment }: { renditions: readonly Rendition[]; moment: number | null }) {
  const players = useRef(new Map<string, HTMLVideoElement>());

  function playTogether() {
    for (const element of players.current.values()) {
      element.currentTime = moment ?? 0;
      void element.play().catch(() => undefined);
    }
  }

  return (
    <section aria-labelledby="compare-heading" className="comparison">
      <div className="section-head">
        <h2 id="compare-heading">Compare renditions</h2>
        <button type="button" className="button" onClick={playTogether}>
          Play together{moment != null ? ` from ${formatTimePrecise(moment)}` : ''}
        </button>
      </div>
      <p className="muted small">The original video is not kept; each of these is regenerated from the same representation.</p>
      <div className="compare-grid">
        {renditions.map((rendition) => (
          <figure key={rendition.id}>
            <video
              ref={(element) => {
                if (element) players.current.set(rendition.id, element);
                else players.current.delete(rendition.id);
              }}
              src={rendition.url ?? undefined}
              controls
              muted
              playsInline
              preload="metadata"
              aria-label={renditionLabel(rendition)}
            />
            <figcaption className="small">
              {renditionLabel(rendition)}
              {rendition.bytes != null && <span className="muted"> · {formatBytes(rendition.bytes)}</span>}
            </figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}
