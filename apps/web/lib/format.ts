export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "320×240", or null while the size is unknown. */
export function formatResolution(width: number | null, height: number | null): string | null {
  return width != null && height != null ? `${width}×${height}` : null;
}

/** m:ss, for durations and positions. */
export function formatTime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, '0')}`;
}

/** m:ss.t, for short clips where whole seconds are too coarse. */
export function formatTimePrecise(seconds: number): string {
  const safe = Math.max(0, seconds);
  const minutes = Math.floor(safe / 60);
  const rest = safe - minutes * 60;
  return `${minutes}:${rest.toFixed(1).padStart(4, '0')}`;
}

export function formatRange(start: number, end: number): string {
  return `${formatTimePrecise(start)}–${formatTimePrecise(end)}`;
}

/** "12×" or "1,234×" — how many times smaller the kept representation is. */
export function formatRatio(source: number, kept: number): string {
  if (kept <= 0) return '—';
  const ratio = source / kept;
  return `${ratio >= 100 ? Math.round(ratio).toLocaleString('en-US') : ratio.toFixed(1)}×`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** Parses `?t=` into seconds; anything that is not a finite non-negative number means "no moment". */
export function parseSeconds(value: string | string[] | undefined | null): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text == null || text === '') return null;
  const seconds = Number(text);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** An archive's total running time: seconds, minutes or hours, whichever reads best. */
export function formatHours(hours: number): string {
  const seconds = Math.max(0, hours) * 3600;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${hours < 10 ? hours.toFixed(1) : Math.round(hours).toLocaleString('en-US')} h`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function formatAgo(date: Date, now: Date = new Date()): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (seconds < 45) return 'just now';
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  if (seconds < 3600) return format.format(-Math.round(seconds / 60), 'minute');
  if (seconds < 86_400) return format.format(-Math.round(seconds / 3600), 'hour');
  return format.format(-Math.round(seconds / 86_400), 'day');
}
