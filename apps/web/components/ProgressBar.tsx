import { formatPercent } from '../lib/format.ts';

/** A labelled progress bar; without a fraction it shows an indeterminate stripe. */
export function ProgressBar({ label, fraction, className }: { label: string; fraction: number | null; className?: string }) {
  const value = fraction == null ? undefined : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div
      className={`progress ${value == null ? 'progress-indeterminate' : ''} ${className ?? ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      aria-valuetext={fraction == null ? 'working' : formatPercent(fraction)}
    >
      <span style={value == null ? undefined : { width: `${value}%` }} />
    </div>
  );
}
