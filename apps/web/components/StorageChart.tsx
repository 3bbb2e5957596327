import { useId } from 'react';
import type { BitstreamSection } from '../lib/api.ts';
import { formatBytes, formatRatio } from '../lib/format.ts';

interface Bar {
  label: string;
  bytes: number;
  tone: 'source' | 'kept' | 'part';
}

const WIDTH = 340;
const LABEL_WIDTH = 128;
const ROW = 30;
const RIGHT_PAD = 22;
const TOP = 8;

function decimalLabel(power: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  const unit = Math.min(units.length - 1, Math.floor(power / 3));
  return `${10 ** (power - unit * 3)} ${units[unit]}`;
}

/** What each bitstream section holds, in words (see docs/bitstream.md). */
const SECTION_LABELS: Readonly<Record<string, string>> = {
  header: 'header',
  keyframes: 'keyframes',
  keyframeLayer: 'keyframe layer (AV1)',
  audio: 'sound (Opus)',
  thumbnails: 'thumbnails (kept beside the stream)',
  contentText: 'content text',
  motionText: 'motion text',
  cameraMotion: 'camera motion',
  it2vWeights: 'IT2V weights',
  contentSemantic: 'content, structured',
  motionSemantic: 'motion, structured',
  motionSideChannel: 'motion side channel',
};

/** Source vs kept bytes, and the kept bytes by bitstream section, on a log scale so a 1000× difference still shows every bar. */
export function StorageChart({ sourceBytes, representationBytes, sections }: { sourceBytes: number; representationBytes: number; sections: readonly BitstreamSection[] }) {
  const titleId = useId();
  const descId = useId();
  const bars: Bar[] = [
    { label: 'Source file', bytes: sourceBytes, tone: 'source' },
    { label: 'CMVC (kept)', bytes: representationBytes, tone: 'kept' },
    ...sections
      .filter((section) => section.bytes > 0)
      .map((section) => ({ label: `↳ ${SECTION_LABELS[section.kind] ?? 'other'}`, bytes: section.bytes, tone: 'part' as const })),
  ];
  const positive = bars.map((bar) => Math.max(1, bar.bytes));
  const low = Math.floor(Math.log10(Math.min(...positive))) ;
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...positive))));
  const plot = WIDTH - LABEL_WIDTH - RIGHT_PAD;
  const x = (bytes: number) => ((Math.log10(Math.max(1, bytes)) - low) / (high - low)) * plot;
  const height = TOP + bars.length * ROW + 22;
  const ticks = Array.from({ length: high - low + 1 }, (_, index) => low + index);
  const ratio = formatRatio(sourceBytes, representationBytes);

  return (
    <figure className="storage-chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${titleId} ${descId}`} preserveAspectRatio="xMinYMin meet">
        <title id={titleId}>Storage: source versus kept representation (log scale)</title>
        <desc id={descId}>
          {bars.map((bar) => `${bar.label}: ${formatBytes(bar.bytes)}`).join('; ')}. The kept representation is {ratio} smaller.
        </desc>
        {ticks.map((power) => (
          <g key={power} transform={`translate(${LABEL_WIDTH + ((power - low) / (high - low)) * plot},0)`}>
            <line y1={TOP - 4} y2={TOP + bars.length * ROW} className="chart-grid" />
            <text y={TOP + bars.length * ROW + 16} className="chart-tick" textAnchor="middle">
              {decimalLabel(power)}
            </text>
          </g>
        ))}
        {bars.map((bar, index) => {
          const y = TOP + index * ROW;
          const width = Math.max(3, x(bar.bytes));
          return (
            <g key={index} transform={`translate(0,${y})`}>
              <text x={0} y={ROW / 2 + 1} className="chart-label" dominantBaseline="middle">
                {bar.label}
              </text>
              <rect x={LABEL_WIDTH} y={6} width={width} height={ROW - 14} rx={4} className={`chart-bar chart-bar-${bar.tone}`} />
              <text
                x={LABEL_WIDTH + width + (width > plot - 56 ? -6 : 6)}
                y={ROW / 2 + 1}
                className={width > plot - 56 ? 'chart-value chart-value-inside' : 'chart-value'}
                textAnchor={width > plot - 56 ? 'end' : 'start'}
                dominantBaseline="middle"
              >
                {formatBytes(bar.bytes)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <strong className="ratio-big">{ratio}</strong> smaller than the source · log scale
      </figcaption>
    </figure>
  );
}
