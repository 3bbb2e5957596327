import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { svgToPng } from '../plots/png.ts';
import { rdChartSvg } from '../plots/svg.ts';
import { METRIC_ORDER, type EvalReport, type MetricId } from '../types.ts';
import { metricValue } from './analysis.ts';
import { renderMarkdown, plotName } from './markdown.ts';

export interface WriteTargets {
  /** docs/RESULTS.md */
  readonly markdownPath: string;
  /** docs/results: plots and JSON */
  readonly resultsDir: string;
  /** The command line shown in the report as the way to regenerate it. */
  readonly command: string;
}

/** Infinity (identical frames) is not JSON; it is written as the string "Infinity". */
const json = (value: unknown): string => `${JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1)}\n`;

/** Metrics that were measured for at least one point (VMAF is absent when skipped). */
function plottedMetrics(report: EvalReport): MetricId[] {
  return METRIC_ORDER.filter((metric) => report.clips.some((clip) => clip.measurements.some((m) => metricValue(m, metric) !== undefined)));
}

async function writeChart(resultsDir: string, stem: string, title: string, report: EvalReport, measurements: EvalReport['averaged']): Promise<string[]> {
  const svg = rdChartSvg(title, measurements, plottedMetrics(report));
  await writeFile(join(resultsDir, `${stem}.svg`), svg);
  await writeFile(join(resultsDir, `${stem}.png`), await svgToPng(svg));
  return [`${stem}.svg`, `${stem}.png`];
}

/** Writes RESULTS.md, aggregate.json, one JSON per clip and the RD plots (SVG + PNG); replaces earlier outputs. */
export async function writeReport(report: EvalReport, targets: WriteTargets): Promise<string[]> {
  await mkdir(targets.resultsDir, { recursive: true });
  for (const name of await readdir(targets.resultsDir)) {
    if (/\.(svg|png|json)$/.test(name)) await rm(join(targets.resultsDir, name), { force: true });
  }
  const written: string[] = [];
  const { clips, ...aggregate } = report;
  await writeFile(join(targets.resultsDir, 'aggregate.json'), json({ ...aggregate, clips: clips.map((c) => c.name) }));
  written.push('aggregate.json');
  written.push(...(await writeChart(targets.resultsDir, 'average', `Average over ${clips.length} clips`, report, report.averaged)));
  for (const clip of clips) {
    const stem = plotName(clip.name);
    await writeFile(join(targets.resultsDir, `${stem}.json`), json(clip));
    written.push(`${stem}.json`, ...(await writeChart(targets.resultsDir, stem, clip.name, report, clip.measurements)));
  }
  await writeFile(targets.markdownPath, renderMarkdown(report, targets.command));
  return [targets.markdownPath, ...written.map((name) => join(targets.resultsDir, name))];
}
