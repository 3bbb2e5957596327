'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage, graphql, REQUEST_RENDITION, type Rendition, type RenditionFormat, type RenditionMode } from '../lib/api.ts';
import { formatBytes } from '../lib/format.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { loadHls } from './RenditionPlayer.tsx';
import { StatusBadge } from './StatusBadge.tsx';

export const MODES: Record<RenditionMode, { name: string; explanation: string }> = {
  IT2V: {
    name: 'Keyframes + motion (IT2V)',
    explanation: 'Interpolates between the kept keyframe images, steered by the motion text. Closest to the original.',
  },
  TT2V: {
    name: 'Text only (TT2V)',
    explanation: 'Generates from the scene and motion descriptions alone. Works even when keyframe images are gone.',
  },
};

export function renditionLabel(rendition: Rendition): string {
  return `${MODES[rendition.mode].name.replace(/ \(.*\)$/, '')} · ${rendition.format === 'WEBM' ? 'WebM' : 'MP4'}${rendition.upscale ? ' · upscaled' : ''}`;
}

interface RenditionPanelProps {
  videoId: string;
  ready: boolean;
  hasKeyframeImages: boolean;
  sourceSize: string;
  renditions: readonly Rendition[];
  selectedId: string | null;
  onRequested(rendition: Rendition): void;
  onPlay(id: string): void;
}

export function RenditionPanel({ videoId, ready, hasKeyframeImages, sourceSize, renditions, selectedId, onRequested, onPlay }: RenditionPanelProps) {
  const [mode, setMode] = useState<RenditionMode>(hasKeyframeImages ? 'IT2V' : 'TT2V');
  const [format, setFormat] = useState<RenditionFormat>('MP4');
  const [upscale, setUpscale] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // A regenerated video plays while it renders, through hls.js: have it ready before the click.
  useEffect(() => {
    if (ready) void loadHls().catch(() => undefined);
  }, [ready]);

  async function request(chosen: { mode: RenditionMode; format: RenditionFormat; upscale: boolean }) {
    setSubmitting(true);
    setError(null);
    try {
      const data = await graphql<{ requestRendition: Rendition }>(REQUEST_RENDITION, {
        videoId,
        mode: chosen.mode,
        options: { format: chosen.format, upscale: chosen.upscale },
      });
      onRequested(data.requestRendition);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setSubmitting(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void request({ mode, format, upscale });
  }

  const sorted = [...renditions].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  return (
    <section className="panel" aria-labelledby="regenerate-heading">
      <h2 id="regenerate-heading">Regenerate</h2>
      <form onSubmit={submit} className="rendition-form">
        <fieldset>
          <legend>Fidelity</legend>
          {(Object.keys(MODES) as RenditionMode[]).map((value) => {
            const disabled = value === 'IT2V' && !hasKeyframeImages;
            return (
              <label key={value} className={`choice ${mode === value ? 'is-checked' : ''} ${disabled ? 'is-disabled' : ''}`}>
                <input type="radio" name="mode" value={value} checked={mode === value} disabled={disabled} onChange={() => setMode(value)} />
                <span>
                  <span className="choice-name">{MODES[value].name}</span>
                  <span className="choice-help">{disabled ? 'Unavailable: the keyframe images were removed from this video.' : MODES[value].explanation}</span>
                </span>
              </label>
            );
          })}
        </fieldset>
        <div className="form-row">
          <fieldset className="inline-fieldset">
            <legend>Format</legend>
            <div className="segmented">
              {(['MP4', 'WEBM'] as const).map((value) => (
                <label key={value} className={format === value ? 'is-checked' : ''}>
                  <input type="radio" name="format" value={value} checked={format === value} onChange={() => setFormat(value)} />
                  {value === 'MP4' ? 'MP4' : 'WebM'}
                </label>
              ))}
            </div>
          </fieldset>
          <label className="checkbox">
            <input type="checkbox" checked={upscale} onChange={(event) => setUpscale(event.target.checked)} />
            <span>
              Upscale to {sourceSize}
              <span className="choice-help">Slower; otherwise rendered at the working size.</span>
            </span>
          </label>
        </div>
        <button type="submit" className="button button-primary button-wide" disabled={!ready || submitting}>
          {submitting ? 'Requesting…' : 'Regenerate video'}
        </button>
        {!ready && <p className="muted small">Regeneration is available once the video is encoded.</p>}
        {error && (
          <p role="alert" className="error small">
            The request failed: {error}
          </p>
        )}
      </form>

      <h3 className="subheading">Renditions</h3>
      {sorted.length === 0 ? (
        <p className="muted small">None yet. The original is not kept, so every playback is regenerated from the representation.</p>
      ) : (
        <ul className="rendition-list" data-testid="renditions" aria-live="polite">
          {sorted.map((rendition) => (
            <li key={rendition.id} className="rendition" data-status={rendition.status} data-mode={rendition.mode}>
              <div className="rendition-head">
                <span className="rendition-name">{renditionLabel(rendition)}</span>
                <StatusBadge status={rendition.status} />
              </div>
              {(rendition.status === 'QUEUED' || rendition.status === 'RENDERING') && (
                <div className="rendition-progress">
                  <ProgressBar
                    label={`Rendering ${renditionLabel(rendition)}`}
                    fraction={rendition.status === 'QUEUED' ? null : rendition.progress}
                  />
                  <span className="muted small">{rendition.status === 'QUEUED' ? 'Waiting for a worker…' : `${Math.round(rendition.progress * 100)}%`}</span>
                  {rendition.streamUrl && (
                    <button
                      type="button"
                      className="button button-small"
                      aria-pressed={selectedId === rendition.id}
                      aria-label={`Play ${renditionLabel(rendition)} while it renders`}
                      onClick={() => onPlay(rendition.id)}
                    >
                      {selectedId === rendition.id ? 'Playing' : 'Play now'}
                    </button>
                  )}
                </div>
              )}
              {rendition.status === 'FAILED' && (
                <div className="rendition-actions">
                  <p className="error small">{rendition.error ?? 'Rendering failed.'}</p>
                  <button type="button" className="button button-small" disabled={submitting} onClick={() => void request(rendition)}>
                    Retry
                  </button>
                </div>
              )}
              {rendition.status === 'READY' && rendition.url && (
                <div className="rendition-actions">
                  <button
                    type="button"
                    className="button button-small"
                    aria-pressed={selectedId === rendition.id}
                    onClick={() => onPlay(rendition.id)}
                  >
                    {selectedId === rendition.id ? 'Playing' : 'Play'}
                  </button>
                  <a className="button button-small button-ghost" href={rendition.url} download>
                    Download{rendition.bytes != null && ` (${formatBytes(rendition.bytes)})`}
                  </a>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
