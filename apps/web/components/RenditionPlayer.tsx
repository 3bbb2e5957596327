'use client';

import { useEffect, useRef, type RefObject } from 'react';
import type { Rendition } from '../lib/api.ts';

/**
 * The server holds a segment request until that segment is rendered (up to a minute), so a slow
 * first byte is expected, not a failure; after a timeout the request is simply made again.
 */
const SEGMENT_LOAD_POLICY = {
  default: {
    maxTimeToFirstByteMs: 70_000,
    maxLoadTimeMs: 120_000,
    timeoutRetry: { maxNumRetry: 3, retryDelayMs: 0, maxRetryDelayMs: 0 },
    errorRetry: { maxNumRetry: 6, retryDelayMs: 500, maxRetryDelayMs: 4_000 },
  },
};

let hlsLoading: Promise<typeof import('hls.js')> | null = null;

/** Loads hls.js once; the page asks for it ahead, so pressing play does not wait for the download. */
export function loadHls(): Promise<typeof import('hls.js')> {
  hlsLoading ??= import('hls.js').catch((error: unknown) => {
    hlsLoading = null; // the next player tries again
    throw error;
  });
  return hlsLoading;
}

interface RenditionPlayerProps {
  rendition: Rendition;
  /** Where to start, in seconds (a search moment, or where the previous source of this rendition was). */
  startAt: number | null;
  autoPlay: boolean;
  label: string;
  playerRef: RefObject<HTMLVideoElement | null>;
  onTime(seconds: number, playing: boolean): void;
}

/**
 * A READY rendition plays its file (HTTP range requests); one still rendering plays its HLS
 * playlist through hls.js (Chromium has no native HLS), starting as soon as the segment at the
 * start position exists. Mount it again (a new `key`) to switch from the stream to the file.
 */
export function RenditionPlayer({ rendition, startAt, autoPlay, label, playerRef, onTime }: RenditionPlayerProps) {
  const streaming = !(rendition.status === 'READY' && rendition.url) && rendition.streamUrl !== null;
  const started = useRef({ startAt, autoPlay });

  useEffect(() => {
    const video = playerRef.current;
    const streamUrl = rendition.streamUrl;
    if (!streaming || !video || !streamUrl) return;
    const { startAt: from, autoPlay: play } = started.current;
    const start = () => {
      if (play) void video.play().catch(() => undefined); // the browser may refuse autoplay; the controls remain
    };
    // Where playback starts: the render job starts there too, without waiting for the first segment request.
    const playlistUrl = `${streamUrl}?start=${Math.max(0, from ?? 0).toFixed(3)}`;
    let destroy = () => {};
    let cancelled = false;
    // hls.js first, where Media Source Extensions exist: it fetches the segment at the start position
    // first and waits for slow segments; native HLS (Safari; recent Chromium says "maybe") only otherwise.
    void loadHls().then(({ default: Hls }) => {
      if (cancelled) return;
      if (!Hls.isSupported()) {
        video.src = playlistUrl;
        video.addEventListener(
          'loadedmetadata',
          () => {
            if (from != null) video.currentTime = from;
            start();
          },
          { once: true },
        );
        return;
      }
      const hls = new Hls({ startPosition: from ?? 0, fragLoadPolicy: SEGMENT_LOAD_POLICY, manifestLoadPolicy: SEGMENT_LOAD_POLICY });
      hls.on(Hls.Events.MANIFEST_PARSED, start);
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        // A segment that took too long is asked for again; a decoder hiccup gets a fresh media pipeline.
        if (data.type === Hls.ErrorTypes.NETWORK_ERROR) hls.startLoad();
        else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
        else console.error(`HLS playback failed: ${data.details}`);
      });
      hls.loadSource(playlistUrl);
      hls.attachMedia(video);
      destroy = () => hls.destroy();
    });
    return () => {
      cancelled = true;
      destroy();
    };
  }, [streaming, rendition.streamUrl, playerRef]);

  return (
    <video
      ref={playerRef}
      data-testid="player"
      data-source={streaming ? 'stream' : 'file'}
      src={streaming ? undefined : (rendition.url ?? undefined)}
      controls
      playsInline
      preload="metadata"
      aria-label={label}
      onLoadedMetadata={(event) => {
        if (streaming) return;
        const element = event.currentTarget;
        const { startAt: from, autoPlay: play } = started.current;
        if (from != null) element.currentTime = Math.min(from, element.duration || from);
        if (play) void element.play().catch(() => undefined);
      }}
      onTimeUpdate={(event) => onTime(event.currentTarget.currentTime, !event.currentTarget.paused)}
    />
  );
}
