import { paretoFrontier } from '../bdrate/bdrate.ts';
import { rdPoints, methodsIn } from '../report/analysis.ts';
import { METHOD_LABELS, METRIC_NAMES, type Measurement, type MethodId, type MetricId } from '../types.ts';

export const METHOD_COLOURS: Readonly<Record<MethodId, string>> = {
  x264: '#1f77b4',
  x265: '#ff7f0e',
  'svt-av1': '#2ca02c',
  'libaom-av1': '#17becf',
  'cmvc-it2v': '#d62728',
  'cmvc-it2v-motion': '#e377c2',
  'cmvc-it2v-notext': '#9467bd',
  'cmvc-tt2v': '#8c564b',
};

const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 62, right: 14, top: 30, bottom: 44 };
const COLUMNS = 2;
const LEGEND_HEIGHT = 56;
const TITLE_HEIGHT = 34;

const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (value: number): string => (Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : Number(value.toPrecision(3)).toString());

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const rough = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Decade ticks (with 2 and 5 in between when the range is narrow) for a log axis over [min, max]. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  const decades = Math.log10(max) - Math.log10(min);
  const mantissas = decades <= 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e += 1) {
    for (const m of mantissas) {
      const v = m * 10 ** e;
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(Number(v.toPrecision(6)));
    }
  }
  return ticks;
}

interface Series {
  readonly method: MethodId;
  readonly points: readonly { rate: number; quality: number }[];
}

function panel(metric: MetricId, series: readonly Series[], x0: number, y0: number): string {
  const all = series.flatMap((s) => s.points);
  const plotW = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const parts: string[] = [`<g transform="translate(${x0},${y0})">`];
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(METRIC_NAMES[metric])}</text>`);
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
  if (all.length === 0) {
    parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH / 2}" text-anchor="middle" font-size="12" fill="#666">not measured</text></g>`);
    return parts.join('');
  }
  const rates = all.map((p) => p.rate);
  const qualities = all.map((p) => p.quality);
  const logMin = Math.log10(Math.min(...rates)) - 0.1;
  const logMax = Math.log10(Math.max(...rates)) + 0.1;
  let qMin = Math.min(...qualities);
  let qMax = Math.max(...qualities);
  const pad = (qMax - qMin || Math.abs(qMax) || 1) * 0.06;
  qMin -= pad;
  qMax += pad;
  const sx = (rate: number): number => MARGIN.left + ((Math.log10(rate) - logMin) / (logMax - logMin)) * plotW;
  const sy = (quality: number): number => MARGIN.top + plotH - ((quality - qMin) / (qMax - qMin)) * plotH;
  for (const tick of logTicks(10 ** logMin, 10 ** logMax)) {
    const x = sx(tick).toFixed(1);
    parts.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`);
    parts.push(`<text x="${x}" y="${MARGIN.top + plotH + 15}" text-anchor="middle" font-size="11">${fmt(tick)}</text>`);
  }
  for (const tick of niceTicks(qMin, qMax)) {
    const y = sy(tick).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${fmt(tick)}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${PANEL_HEIGHT - 6}" text-anchor="middle" font-size="12">bits per pixel (log scale)</text>`);
  for (const { method, points } of series) {
    const colour = METHOD_COLOURS[method];
    const coords = points.map((p) => `${sx(p.rate).toFixed(1)},${sy(p.quality).toFixed(1)}`);
    if (coords.length > 1) parts.push(`<polyline points="${coords.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const c of coords) {
      const [cx, cy] = c.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${colour}"/>`);
    }
  }
  parts.push('</g>');
  return parts.join('');
}

/**
 * Rate–distortion chart, one panel per metric: each method's Pareto frontier as a line over a
 * log-scaled bits-per-pixel axis, and a shared legend.
 */
export function rdChartSvg(title: string, measurements: readonly Measurement[], metrics: readonly MetricId[]): string {
  const methods = methodsIn(measurements);
  const rows = Math.ceil(metrics.length / COLUMNS);
  const width = PANEL_WIDTH * COLUMNS;
  const height = TITLE_HEIGHT + LEGEND_HEIGHT + rows * PANEL_HEIGHT;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="17" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  const perRow = 3;
  methods.forEach((method, i) => {
    const x = 30 + (i % perRow) * ((width - 60) / perRow);
    const y = TITLE_HEIGHT + 14 + Math.floor(i / perRow) * 22;
    parts.push(`<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${METHOD_COLOURS[method]}" stroke-width="3"/>`);
    parts.push(`<circle cx="${x + 14}" cy="${y}" r="3.5" fill="${METHOD_COLOURS[method]}"/>`);
    parts.push(`<text x="${x + 36}" y="${y}" dominant-baseline="middle" font-size="13">${escapeXml(METHOD_LABELS[method])}</text>`);
  });
  metrics.forEach((metric, i) => {
    const series = methods.map((method) => ({ method, points: paretoFrontier(rdPoints(measurements, method, metric)) }));
    parts.push(panel(metric, series, (i % COLUMNS) * PANEL_WIDTH, TITLE_HEIGHT + LEGEND_HEIGHT + Math.floor(i / COLUMNS) * PANEL_HEIGHT));
  });
  parts.push('</svg>');
  return parts.join('\n');
}
