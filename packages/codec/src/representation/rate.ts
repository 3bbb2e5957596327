import type { ParsedBitstream, SectionInfo } from '../bitstream/container.ts';
import type { SectionKind } from '../bitstream/format.ts';

export interface SectionRate {
  /** `thumbnails`: pictures the archive keeps beside the stream (never written by `rateReport`). */
  readonly kind: SectionKind | 'header' | 'unknown' | 'thumbnails';
  readonly bytes: number;
  /** Bits per source pixel over the whole video. */
  readonly bpp: number;
  readonly kbps: number;
}

export interface ClipRate {
  readonly index: number;
  /** Frames attributed to the clip (its end keyframe and the frames before it; clip 0 also owns frame 0). */
  readonly frames: number;
  /** Bytes attributed to the clip by section, fractional where a section is coded jointly. */
  readonly bytes: Readonly<Partial<Record<SectionKind, number>>>;
  readonly totalBytes: number;
  readonly bpp: number;
  readonly kbps: number;
}

/** Eq. 2 accounting. `keyframeBytes + motionBytes + audioBytes + weightBytes + overheadBytes === totalBytes`. */
export interface RateReport {
  readonly totalBytes: number;
  /** Σ R_k(T_k,i): keyframe pixels (images or the keyframe layer) and content descriptions. */
  readonly keyframeBytes: number;
  /** R_a: the sound track. */
  readonly audioBytes: number;
  /** Σ R_m(T_m,j): motion descriptions, camera codes and motion side channel. */
  readonly motionBytes: number;
  /** IT2V interpolation weights. */
  readonly weightBytes: number;
  /** Container header and section table. */
  readonly overheadBytes: number;
  readonly bpp: number;
  readonly kbps: number;
  readonly sourcePixels: number;
  readonly durationSeconds: number;
  readonly sections: readonly SectionRate[];
  readonly clips: readonly ClipRate[];
}

const KEYFRAME_KINDS: ReadonlySet<string> = new Set(['keyframes', 'keyframeLayer', 'contentText', 'contentSemantic']);
const MOTION_KINDS: ReadonlySet<string> = new Set(['motionText', 'cameraMotion', 'motionSemantic', 'motionSideChannel']);

/** Splits `total` over items in proportion to `weights` (evenly when all weights are zero). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((weight) => (sum === 0 ? total / weights.length : (total * weight) / sum));
}

export function rateReport(parsed: ParsedBitstream): RateReport {
  const { representation: rep, sections } = parsed;
  const { header } = rep;
  const sourcePixels = header.sourceWidth * header.sourceHeight * header.frameCount;
  const duration = header.durationSeconds > 0 ? header.durationSeconds : header.frameCount / (header.fps.num / header.fps.den);
  const bpp = (bytes: number, pixels = sourcePixels): number => (pixels > 0 ? (bytes * 8) / pixels : 0);
  const kbps = (bytes: number, seconds = duration): number => (seconds > 0 ? (bytes * 8) / seconds / 1000 : 0);
  const sum = (predicate: (section: SectionInfo) => boolean): number => sections.filter(predicate).reduce((a, s) => a + s.length, 0);

  const keyframeBytes = sum((s) => KEYFRAME_KINDS.has(s.kind));
  const motionBytes = sum((s) => MOTION_KINDS.has(s.kind) || s.kind === 'unknown');
  const weightBytes = sum((s) => s.kind === 'it2vWeights');
  const audioBytes = sum((s) => s.kind === 'audio');
  const overheadBytes = parsed.totalBytes - keyframeBytes - motionBytes - audioBytes - weightBytes;

  const sectionRates: SectionRate[] = [
    { kind: 'header', bytes: parsed.headerBytes, bpp: bpp(parsed.headerBytes), kbps: kbps(parsed.headerBytes) },
    ...sections.map((s) => ({ kind: s.kind, bytes: s.length, bpp: bpp(s.length), kbps: kbps(s.length) })),
  ];

  const clipCount = rep.clips.length;
  const clips: ClipRate[] = [];
  if (clipCount > 0) {
    const byKind = new Map(sections.map((s) => [s.kind, s.length]));
    const encoder = new TextEncoder();
    const textWeight = (text: string | null, semantic: Uint8Array | undefined): number => (text !== null ? encoder.encode(text).length : (semantic?.length ?? 0));
    const clipFrames = rep.clips.map((clip, j) => clip.endFrame - clip.startFrame + (j === 0 ? 1 : 0));
    const intermediate = rep.clips.map((clip) => clip.endFrame - clip.startFrame - 1);
    // Keyframe-owned sections: clip j owns keyframe j+1, clip 0 also keyframe 0.
    const ownedKeyframes = (j: number): number[] => (j === 0 ? [0, 1] : [j + 1]);
    const imageBytes = rep.keyframes.map((k) => k.image.length);
    const imageOverhead = (byKind.get('keyframes') ?? 0) - imageBytes.reduce((a, b) => a + b, 0);
    const contentShare = apportion(byKind.get('contentText') ?? 0, rep.keyframes.map((k) => textWeight(k.content, undefined)));
    const contentSemShare = apportion(byKind.get('contentSemantic') ?? 0, rep.keyframes.map((k) => k.contentSemantic?.length ?? 0));
    const motionShare = apportion(byKind.get('motionText') ?? 0, rep.clips.map((c) => textWeight(c.motion, undefined)));
    const motionSemShare = apportion(byKind.get('motionSemantic') ?? 0, rep.clips.map((c) => c.motionSemantic?.length ?? 0));
    const weightShare = apportion(weightBytes, intermediate);
    // Side-channel bytes follow the fields each clip's frames carry (frames without one cost next to nothing).
    let pair = 0;
    const fieldsPerClip = intermediate.map((count) => {
      let fields = 0;
      for (let k = 0; k < count; k += 1, pair += 1) if ((rep.motionSideChannel?.fieldIndex[pair] ?? -1) >= 0) fields += 1;
      return fields;
    });
    const sideChannelShare = apportion(byKind.get('motionSideChannel') ?? 0, fieldsPerClip);
    const even = (kind: SectionKind): number => (byKind.get(kind) ?? 0) / clipCount;
    const fps = header.fps.num / header.fps.den;
    rep.clips.forEach((clip, j) => {
      const owned = ownedKeyframes(j);
      const pick = (shares: number[]): number => owned.reduce((a, i) => a + (shares[i] ?? 0), 0);
      const bytes: Partial<Record<SectionKind, number>> = {
        keyframes: pick(imageBytes) + imageOverhead / clipCount,
        contentText: pick(contentShare),
        motionText: motionShare[j] ?? 0,
        cameraMotion: even('cameraMotion'),
        it2vWeights: weightShare[j] ?? 0,
      };
      if (byKind.has('contentSemantic')) bytes.contentSemantic = pick(contentSemShare);
      if (byKind.has('motionSemantic')) bytes.motionSemantic = motionSemShare[j] ?? 0;
      if (byKind.has('motionSideChannel')) bytes.motionSideChannel = sideChannelShare[j] ?? 0;
      // Coded jointly over the whole video: shared by frames.
      const frameShare = (clipFrames[j] ?? 0) / header.frameCount;
      if (byKind.has('keyframeLayer')) bytes.keyframeLayer = (byKind.get('keyframeLayer') ?? 0) * frameShare;
      if (byKind.has('audio')) bytes.audio = (byKind.get('audio') ?? 0) * frameShare;
      const totalBytes = Object.values(bytes).reduce((a, b) => a + b, 0);
      const frames = clipFrames[j] ?? 0;
      clips.push({
        index: clip.index,
        frames,
        bytes,
        totalBytes,
        bpp: bpp(totalBytes, header.sourceWidth * header.sourceHeight * frames),
        kbps: kbps(totalBytes, frames / fps),
      });
    });
  }

  return {
    totalBytes: parsed.totalBytes,
    keyframeBytes,
    audioBytes,
    motionBytes,
    weightBytes,
    overheadBytes,
    bpp: bpp(parsed.totalBytes),
    kbps: kbps(parsed.totalBytes),
    sourcePixels,
    durationSeconds: duration,
    sections: sectionRates,
    clips,
  };
}

export interface RateBudget {
  readonly targetKbps: number;
  readonly durationSeconds: number;
  readonly frameCount: number;
  readonly bytesPerKeyframe: number;
  /** Typical coded bytes of one content / motion description. */
  readonly contentBytes: number;
  readonly motionBytes: number;
  /** Typical coded bytes of one interpolated frame's weights. */
  readonly weightBytesPerFrame: number;
  readonly overheadBytes: number;
}

/**
 * Largest n whose estimated size fits the budget:
 * overhead + n·(keyframe + content) + (n-1)·motion + (N-n)·weights ≤ target·duration/8.
 */
export function keyframeCountForRate(budget: RateBudget): number {
  const available = (budget.targetKbps * 1000 * budget.durationSeconds) / 8 - budget.overheadBytes + budget.motionBytes - budget.frameCount * budget.weightBytesPerFrame;
  const perKeyframe = budget.bytesPerKeyframe + budget.contentBytes + budget.motionBytes - budget.weightBytesPerFrame;
  const n = Math.floor(available / Math.max(1, perKeyframe));
  return Math.max(Math.min(2, budget.frameCount), Math.min(budget.frameCount, n));
}
