'use client';

import { useEffect, useRef } from 'react';
import type { Clip, Keyframe, SpeechSegment } from '../lib/api.ts';
import { formatRange, formatTimePrecise } from '../lib/format.ts';

/** The clip that contains `seconds` (the last clip for the very end). */
export function clipAt(clips: readonly Clip[], seconds: number): Clip | null {
  if (clips.length === 0) return null;
  return clips.find((clip) => seconds >= clip.startSeconds && seconds < clip.endSeconds) ?? (seconds >= clips.at(-1)!.endSeconds ? clips.at(-1)! : clips[0]!);
}

interface TimelineProps {
  keyframes: readonly Keyframe[];
  clips: readonly Clip[];
  /** Transcribed speech: marked on the scrubber and quoted under the clip it starts in. */
  speech: readonly SpeechSegment[];
  durationSeconds: number;
  /** The moment chosen from search or by clicking: highlighted and scrolled into view. */
  moment: number | null;
  /** Where the player is, while it plays. */
  playhead: number | null;
  onSelect(seconds: number): void;
}

export function Timeline({ keyframes, clips, speech, durationSeconds, moment, playhead, onSelect }: TimelineProps) {
  const current = moment == null ? null : clipAt(clips, moment);
  const playing = playhead == null ? null : clipAt(clips, playhead);
  const currentRef = useRef<HTMLLIElement | null>(null);
  const sorted = [...keyframes].sort((a, b) => a.frameIndex - b.frameIndex);
  const endKeyframe = sorted.length > clips.length ? sorted.at(-1) : undefined;
  const span = Math.max(durationSeconds, clips.at(-1)?.endSeconds ?? 0, 0.001);

  // Centre the current clip in the strip; scroll the page only when the clip is entirely off screen.
  useEffect(() => {
    const card = currentRef.current;
    const strip = card?.parentElement;
    if (!card || !strip) return;
    strip.scrollTo({ left: card.offsetLeft - strip.offsetLeft - (strip.clientWidth - card.clientWidth) / 2, behavior: 'smooth' });
    const box = card.getBoundingClientRect();
    if (box.bottom < 0 || box.top > window.innerHeight) card.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [current?.index]);

  if (clips.length === 0 && sorted.length === 0) {
    return <p className="muted">This video has no keyframes yet; the timeline appears once it is encoded.</p>;
  }

  return (
    <div className="timeline">
      <div className="scrubber" aria-hidden="true">
        {clips.map((clip) => (
          <span
            key={clip.index}
            className={`scrubber-segment ${clip.index === current?.index ? 'is-current' : ''}`}
            style={{ left: `${(clip.startSeconds / span) * 100}%`, width: `${((clip.endSeconds - clip.startSeconds) / span) * 100}%` }}
          />
        ))}
        {sorted.map((keyframe) => (
          <span key={keyframe.id} className="scrubber-key" style={{ left: `${(keyframe.timeSeconds / span) * 100}%` }} />
        ))}
        {speech.map((segment, index) => (
          <span
            key={`speech-${index}`}
            className="scrubber-speech"
            style={{ left: `${(segment.startSeconds / span) * 100}%`, width: `${(Math.max(0, segment.endSeconds - segment.startSeconds) / span) * 100}%` }}
          />
        ))}
        {moment != null && <span className="scrubber-moment" style={{ left: `${Math.min(100, (moment / span) * 100)}%` }} />}
        {playhead != null && <span className="scrubber-playhead" style={{ left: `${Math.min(100, (playhead / span) * 100)}%` }} />}
      </div>
      <ol className="clip-strip" data-testid="timeline">
        {clips.map((clip) => {
          const keyframe = sorted[clip.index];
          const isCurrent = clip.index === current?.index;
          const said = speech.filter((segment) => clipAt(clips, segment.startSeconds)?.index === clip.index);
          return (
            <li
              key={clip.index}
              ref={isCurrent ? currentRef : undefined}
              className={`clip-card ${isCurrent ? 'is-current' : ''} ${clip.index === playing?.index ? 'is-playing' : ''}`}
              data-current={isCurrent ? 'true' : undefined}
              data-start={clip.startSeconds}
            >
              <button
                type="button"
                className="clip-button"
                aria-current={isCurrent ? 'true' : undefined}
                aria-label={`Clip ${clip.index + 1}, ${formatRange(clip.startSeconds, clip.endSeconds)}${isCurrent ? ' (current moment)' : ''}: jump here`}
                onClick={() => onSelect(clip.startSeconds)}
              >
                <KeyframeImage keyframe={keyframe} />
                <span className="time-badge">{formatRange(clip.startSeconds, clip.endSeconds)}</span>
              </button>
              <dl className="clip-text">
                <dt>Scene</dt>
                <dd>{keyframe?.description ?? <span className="muted">No description</span>}</dd>
                <dt>Motion</dt>
                <dd>{clip.motion ?? <span className="muted">No motion text</span>}</dd>
                {said.length > 0 && (
                  <>
                    <dt>Speech</dt>
                    <dd data-testid="speech">
                      {said.map((segment) => (
                        <q key={segment.startSeconds} className="speech-line">
                          {segment.text}
                        </q>
                      ))}
                    </dd>
                  </>
                )}
              </dl>
            </li>
          );
        })}
        {endKeyframe && (
          <li className="clip-card clip-end">
            <div className="clip-button clip-button-static">
              <KeyframeImage keyframe={endKeyframe} />
              <span className="time-badge">{formatTimePrecise(endKeyframe.timeSeconds)} · end</span>
            </div>
            <dl className="clip-text">
              <dt>Scene</dt>
              <dd>{endKeyframe.description ?? <span className="muted">No description</span>}</dd>
            </dl>
          </li>
        )}
      </ol>
    </div>
  );
}

function KeyframeImage({ keyframe }: { keyframe: Keyframe | undefined }) {
  if (!keyframe?.url) {
    return (
      <span className="no-thumb text-only">
        <span>{keyframe ? 'Text only' : 'No keyframe'}</span>
      </span>
    );
  }
  return <img src={keyframe.url} alt="" width={keyframe.width} height={keyframe.height} loading="lazy" />;
}
