import type { Caption, Clip } from '@cmvc/db';

const LABELS: Readonly<Record<Caption['kind'], string>> = { CONTENT: 'Scene', MOTION: 'Motion', SPEECH: 'Speech' };

/** WebVTT time: hh:mm:ss.ttt. */
export function vttTime(seconds: number): string {
  const millis = Math.max(0, Math.round(seconds * 1000));
  const hours = Math.floor(millis / 3_600_000);
  const minutes = Math.floor((millis % 3_600_000) / 60_000);
  const secs = Math.floor((millis % 60_000) / 1000);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}.${pad(millis % 1000, 3)}`;
}

/** Cue text may not contain "-->" or blank lines, and "<" and "&" start markup. */
function cueText(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/\s*\n\s*/gu, ' ');
}

/**
 * A video's captions as WebVTT, in time order: speech as said, scene and motion texts labelled
 * with a voice tag (<v Scene>, <v Motion>) so players and readers can tell them apart. Scene and
 * motion captions take their clip's times; speech captions carry their own.
 */
export function captionsToWebVtt(captions: readonly Caption[], clips: readonly Clip[], durationSeconds: number): string {
  const clipById = new Map(clips.map((clip) => [clip.id, clip]));
  const cues = captions
    .map((caption) => {
      const clip = caption.clipId ? clipById.get(caption.clipId) : undefined;
      const start = caption.startSeconds ?? clip?.startSeconds ?? 0;
      const end = caption.endSeconds ?? clip?.endSeconds ?? durationSeconds;
      return { caption, start, end: Math.max(end, start + 0.001) };
    })
    .sort((a, b) => a.start - b.start || a.end - b.end || a.caption.kind.localeCompare(b.caption.kind));
  const blocks = cues.map(({ caption, start, end }, index) => {
    const text = caption.kind === 'SPEECH' ? cueText(caption.text) : `<v ${LABELS[caption.kind]}>${cueText(caption.text)}`;
    return `${caption.kind.toLowerCase()}-${index + 1}\n${vttTime(start)} --> ${vttTime(end)}\n${text}`;
  });
  return ['WEBVTT', ...blocks].join('\n\n') + '\n';
}
