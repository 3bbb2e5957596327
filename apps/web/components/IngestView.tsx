'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { errorMessage, graphql, INGEST_VIDEOS, videoStatusesQuery, type IngestInput, type IngestResult, type VideoStatus } from '../lib/api.ts';
import { formatBytes, formatPercent } from '../lib/format.ts';
import { describeIngestError } from '../lib/ingest-errors.ts';
import { parseTags } from '../lib/search-filter.ts';
import { uploadFile, UploadError } from '../lib/upload.ts';
import { usePolling } from '../lib/use-interval.ts';
import { ProgressBar } from './ProgressBar.tsx';

type Phase = 'waiting' | 'uploading' | 'checking' | 'QUEUED' | 'ENCODING' | 'READY' | 'FAILED';

interface Item {
  key: string;
  source: 'file' | 'url' | 'path';
  name: string;
  bytes: number | null;
  phase: Phase;
  uploadFraction: number;
  /** How far the worker is with encoding, while ENCODING; null when it has not said. */
  encodeFraction: number | null;
  videoId: string | null;
  tags: string[];
  duplicate: boolean;
  error: { code: string; detail: string } | null;
}

const UPLOAD_CONCURRENCY = 2;
const POLL_MS = 1000;
/** Largest number of videos asked about in one status poll. */
const POLL_BATCH = 25;

let nextKey = 0;
const newKey = () => `item-${++nextKey}`;

function titleOf(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, '') || fileName;
}

/** How far along an item is, 0 to 1: upload is the first half, checking and encoding the rest. */
function fractionOf(item: Item): number {
  switch (item.phase) {
    case 'waiting':
      return 0;
    case 'uploading':
      return 0.5 * item.uploadFraction;
    case 'checking':
      return 0.5;
    case 'QUEUED':
      return 0.6;
    case 'ENCODING':
      return 0.6 + 0.4 * (item.encodeFraction ?? 0);
    case 'READY':
    case 'FAILED':
      return 1;
  }
}

function phaseText(item: Item): string {
  switch (item.phase) {
    case 'waiting':
      return 'Waiting to upload';
    case 'uploading':
      return `Uploading · ${formatPercent(item.uploadFraction)}`;
    case 'checking':
      return item.source === 'url' ? 'Fetching and checking…' : 'Checking the file…';
    case 'QUEUED':
      return 'Queued for encoding';
    case 'ENCODING':
      return `Encoding into keyframes and text…${item.encodeFraction != null ? ` ${formatPercent(item.encodeFraction)}` : ''}`;
    case 'READY':
      return item.duplicate ? 'Already in the archive' : 'Archived and searchable';
    case 'FAILED':
      return 'Not added';
  }
}

function parseLines(text: string): { source: 'url' | 'path'; value: string }[] {
  const seen = new Set<string>();
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !seen.has(line) && Boolean(seen.add(line)))
    .map((value) => ({ source: /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? 'url' : 'path', value }));
}

export function IngestView() {
  const [items, setItems] = useState<Item[]>([]);
  const [lines, setLines] = useState('');
  const [dragging, setDragging] = useState(false);
  const [linkError, setLinkError] = useState<string | null>(null);
  const [tagText, setTagText] = useState('');
  const files = useRef(new Map<string, File>());
  const active = useRef(0);
  const fileInput = useRef<HTMLInputElement | null>(null);

  const update = useCallback((key: string, change: Partial<Item>) => {
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...change } : item)));
  }, []);

  const applyResult = useCallback(
    (key: string, result: IngestResult | undefined) => {
      if (!result) return update(key, { phase: 'FAILED', error: { code: 'INTERNAL', detail: 'No answer for this item' } });
      if (result.error || !result.video) {
        return update(key, { phase: 'FAILED', error: { code: result.error?.code ?? 'INTERNAL', detail: result.error?.message ?? '' } });
      }
      update(key, {
        phase: result.video.status,
        videoId: result.video.id,
        duplicate: !result.created,
        error: result.video.status === 'FAILED' ? { code: 'ENCODE_FAILED', detail: result.video.error ?? '' } : null,
      });
    },
    [update],
  );

  const uploadOne = useCallback(
    async (key: string, file: File, tags: string[]) => {
      update(key, { phase: 'uploading', uploadFraction: 0 });
      try {
        const { uploadId } = await uploadFile(file, (fraction) => update(key, { uploadFraction: fraction })).done;
        update(key, { phase: 'checking', uploadFraction: 1 });
        const data = await graphql<{ ingestVideos: IngestResult[] }>(INGEST_VIDEOS, { inputs: [{ uploadId, title: titleOf(file.name), ...(tags.length > 0 ? { tags } : {}) }] });
        applyResult(key, data.ingestVideos[0]);
      } catch (error) {
        const code = error instanceof UploadError ? error.code : 'UPLOAD_FAILED';
        update(key, { phase: 'FAILED', error: { code, detail: errorMessage(error) } });
      }
    },
    [applyResult, update],
  );

  // Start waiting uploads, a couple at a time.
  useEffect(() => {
    const waiting = items.filter((item) => item.phase === 'waiting' && item.source === 'file');
    for (const item of waiting.slice(0, Math.max(0, UPLOAD_CONCURRENCY - active.current))) {
      const file = files.current.get(item.key);
      if (!file) continue;
      files.current.delete(item.key);
      active.current += 1;
      void uploadOne(item.key, file, item.tags).finally(() => {
        active.current -= 1;
        setItems((current) => [...current]);
      });
    }
  }, [items, uploadOne]);

  const addFiles = useCallback((list: FileList | File[]) => {
    const tags = parseTags(tagText);
    const added: Item[] = [];
    for (const file of Array.from(list)) {
      const key = newKey();
      files.current.set(key, file);
      added.push({ key, source: 'file', name: file.name, bytes: file.size, phase: 'waiting', uploadFraction: 0, encodeFraction: null, videoId: null, tags, duplicate: false, error: null });
    }
    if (added.length > 0) setItems((current) => [...current, ...added]);
  }, [tagText]);

  async function addLines(event: FormEvent) {
    event.preventDefault();
    const parsed = parseLines(lines);
    if (parsed.length === 0) {
      setLinkError('Paste at least one web address or server path, one per line.');
      return;
    }
    setLinkError(null);
    const tags = parseTags(tagText);
    const added: Item[] = parsed.map(({ source, value }) => ({
      key: newKey(),
      source,
      name: value,
      bytes: null,
      phase: 'checking',
      uploadFraction: 1,
      encodeFraction: null,
      videoId: null,
      tags,
      duplicate: false,
      error: null,
    }));
    setItems((current) => [...current, ...added]);
    setLines('');
    const inputs: IngestInput[] = parsed.map(({ source, value }) => ({
      ...(source === 'url' ? { url: value } : { path: value }),
      ...(tags.length > 0 ? { tags } : {}),
    }));
    try {
      const data = await graphql<{ ingestVideos: IngestResult[] }>(INGEST_VIDEOS, { inputs });
      added.forEach((item, index) => applyResult(item.key, data.ingestVideos.find((result) => result.index === index)));
    } catch (error) {
      for (const item of added) update(item.key, { phase: 'FAILED', error: { code: 'INTERNAL', detail: errorMessage(error) } });
    }
  }

  const encoding = items.filter((item) => item.videoId && (item.phase === 'QUEUED' || item.phase === 'ENCODING'));
  usePolling(
    async () => {
      const batch = encoding.slice(0, POLL_BATCH);
      if (batch.length === 0) return;
      const variables = Object.fromEntries(batch.map((item, index) => [`id${index}`, item.videoId]));
      try {
        const data = await graphql<Record<string, { id: string; status: VideoStatus; error: string | null; encodeProgress: number | null } | null>>(
          videoStatusesQuery(batch.length),
          variables,
        );
        batch.forEach((item, index) => {
          const video = data[`v${index}`];
          if (!video) return update(item.key, { phase: 'FAILED', error: { code: 'ENCODE_FAILED', detail: 'The video was removed while encoding' } });
          if (video.status !== item.phase || video.encodeProgress !== item.encodeFraction) {
            update(item.key, {
              phase: video.status,
              encodeFraction: video.encodeProgress,
              error: video.status === 'FAILED' ? { code: 'ENCODE_FAILED', detail: video.error ?? '' } : null,
            });
          }
        });
      } catch {
        // Retried on the next tick.
      }
    },
    POLL_MS,
    encoding.length > 0,
  );

  function drop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer.files);
  }

  const done = items.filter((item) => item.phase === 'READY').length;
  const failed = items.filter((item) => item.phase === 'FAILED').length;
  const overall = items.length === 0 ? 0 : items.reduce((sum, item) => sum + fractionOf(item), 0) / items.length;
  const finished = done + failed === items.length;

  return (
    <div className="ingest-page">
      <h1>Add videos</h1>
      <p className="lede">Each video is encoded into a few keyframes and descriptions, then becomes searchable. The original file is not kept.</p>

      <label className="tags-field">
        <span className="field-label">Tags for what you add next</span>
        <input type="text" value={tagText} placeholder="e.g. lecture, 2024 (comma separated, optional)" autoComplete="off" onChange={(event) => setTagText(event.target.value)} />
      </label>

      <div className="ingest-inputs">
        <div
          className={`dropzone ${dragging ? 'is-dragging' : ''}`}
          onDragEnter={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragOver={(event) => event.preventDefault()}
          onDragLeave={(event) => {
            if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
          }}
          onDrop={drop}
        >
          <svg viewBox="0 0 24 24" width="40" height="40" aria-hidden="true" className="dropzone-icon">
            <path d="M12 16V4m0 0-4.5 4.5M12 4l4.5 4.5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
            <path d="M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
          <p className="dropzone-title">Drop video files here</p>
          <p className="muted small">MP4, WebM, MOV, MKV… as many as you like</p>
          <input
            ref={fileInput}
            id="file-input"
            type="file"
            accept="video/*"
            multiple
            className="visually-hidden"
            data-testid="file-input"
            onChange={(event) => {
              if (event.target.files) addFiles(event.target.files);
              event.target.value = '';
            }}
          />
          <label htmlFor="file-input" className="button button-primary">
            Choose files
          </label>
        </div>

        <form className="panel link-form" onSubmit={addLines}>
          <label htmlFor="link-input" className="field-label">
            Or paste web addresses or server paths
          </label>
          <p id="link-help" className="muted small">
            One per line. Server paths must be inside a folder the archive is allowed to read.
          </p>
          <textarea
            id="link-input"
            rows={5}
            value={lines}
            aria-describedby={linkError ? 'link-help link-error' : 'link-help'}
            aria-invalid={linkError ? true : undefined}
            placeholder={'https://example.org/talk.mp4\n/srv/videos/holiday.mov'}
            onChange={(event) => setLines(event.target.value)}
          />
          {linkError && (
            <p id="link-error" className="error small" role="alert">
              {linkError}
            </p>
          )}
          <button type="submit" className="button">
            Add to archive
          </button>
        </form>
      </div>

      <section aria-labelledby="queue-heading" className="queue">
        <div className="section-head">
          <h2 id="queue-heading">Progress</h2>
          {items.length > 0 && finished && (
            <button type="button" className="button button-small button-ghost" onClick={() => setItems([])}>
              Clear list
            </button>
          )}
        </div>
        {items.length === 0 ? (
          <div className="empty-state empty-compact">
            <p className="muted">Nothing added yet. Files you drop or choose appear here with their progress.</p>
          </div>
        ) : (
          <>
            <div className="overall" data-testid="overall">
              <ProgressBar label="Overall progress" fraction={overall} className="progress-large" />
              <p className="small" aria-live="polite">
                {done} of {items.length} archived
                {failed > 0 && <span className="error"> · {failed} not added</span>}
                {finished ? ' · all done' : ` · ${formatPercent(overall)}`}
              </p>
            </div>
            <ul className="ingest-list" data-testid="ingest-list">
              {items.map((item) => (
                <li key={item.key} className={`ingest-item phase-${item.phase.toLowerCase()}`} data-phase={item.phase} data-name={item.name}>
                  <div className="ingest-item-head">
                    <span className="ingest-name" title={item.name}>
                      {item.name}
                    </span>
                    {item.bytes != null && <span className="muted small">{formatBytes(item.bytes)}</span>}
                  </div>
                  <ProgressBar
                    label={`${item.name}: ${phaseText(item)}`}
                    fraction={(item.phase === 'ENCODING' && item.encodeFraction == null) || item.phase === 'checking' ? null : fractionOf(item)}
                    className={item.phase === 'FAILED' ? 'progress-failed' : item.phase === 'READY' ? 'progress-done' : ''}
                  />
                  <div className="ingest-item-foot small">
                    <span className={item.phase === 'FAILED' ? 'error' : 'muted'}>{phaseText(item)}</span>
                    {item.videoId && item.phase !== 'FAILED' && (
                      <Link href={`/videos/${encodeURIComponent(item.videoId)}`}>Open video</Link>
                    )}
                  </div>
                  {item.error && (
                    <p className="ingest-error" role="alert" data-testid="ingest-error" data-code={item.error.code}>
                      {describeIngestError(item.error.code)}
                    </p>
                  )}
                  {item.error?.detail && (
                    <details className="ingest-details">
                      <summary>Technical details</summary>
                      <p>
                        {item.error.code}: {item.error.detail}
                      </p>
                    </details>
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}
