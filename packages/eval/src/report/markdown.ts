import type { BdRateResult } from '../bdrate/bdrate.ts';
import { paretoFrontier } from '../bdrate/bdrate.ts';
import {
  METHOD_LABELS,
  METHOD_ORDER,
  METRIC_NAMES,
  METRIC_ORDER,
  type ClipReport,
  type EvalReport,
  type Measurement,
  type MethodId,
  type MetricId,
  type SideChannelBd,
} from '../types.ts';
import { methodsIn, rdPoints } from './analysis.ts';

const bppText = (bpp: number): string => (bpp >= 0.01 ? bpp.toFixed(3) : bpp.toExponential(2));
const kbpsText = (kbps: number): string => (kbps >= 10 ? kbps.toFixed(0) : kbps.toFixed(2));
const percent = (value: number): string => `${value > 0 ? '+' : ''}${value.toFixed(1)} %`;

function bdCell(result: BdRateResult | undefined): string {
  if (!result) return '–';
  if (result.status === 'ok') return percent(result.percent);
  return result.status === 'no-overlap' ? 'no overlap' : 'too few points';
}

function scoreText(metric: MetricId, value: number): string {
  if (metric === 'psnrY' || metric === 'psnrYuv') return value.toFixed(2);
  if (metric === 'vmaf') return value.toFixed(1);
  return value.toFixed(3);
}

/** Which method is best at the lowest rates, and who reaches the lowest rate at all. */
function bestAtLowRate(measurements: readonly Measurement[], metric: MetricId): string {
  const methods = methodsIn(measurements);
  const fronts = methods.map((method) => ({ method, front: paretoFrontier(rdPoints(measurements, method, metric)) })).filter((f) => f.front.length > 0);
  if (fronts.length === 0) return '';
  const baselineFloor = Math.min(...fronts.filter((f) => !f.method.startsWith('cmvc')).map((f) => f.front[0]!.rate));
  // Best score each method achieves at or below the baselines' lowest rate.
  const atFloor = fronts
    .map(({ method, front }) => ({ method, best: Math.max(...front.filter((p) => p.rate <= baselineFloor * 1.0001).map((p) => p.quality)) }))
    .filter((f) => Number.isFinite(f.best))
    .sort((a, b) => b.best - a.best);
  if (!Number.isFinite(baselineFloor) || atFloor.length === 0) return '';
  return `At or below the baselines' lowest rate (${bppText(baselineFloor)} bpp) the best ${METRIC_NAMES[metric]} is ${atFloor.map((f) => `${METHOD_LABELS[f.method]} ${scoreText(metric, f.best)}`).join(', ')}.`;
}

function aggregateTables(report: EvalReport): string[] {
  const lines: string[] = [];
  const anchor = report.settings.anchor;
  for (const metric of METRIC_ORDER) {
    const row = report.aggregateBd[metric];
    if (!row) continue;
    const methods = METHOD_ORDER.filter((m) => row[m]);
    lines.push(`### ${METRIC_NAMES[metric]}`, '');
    lines.push(`| method | mean BD-rate vs ${METHOD_LABELS[anchor]} | clips with a value | clips without overlap | BD-rate on the averaged curve |`);
    lines.push('|---|---:|---:|---:|---:|');
    const averagedBd = averagedBdRow(report, metric);
    for (const method of methods) {
      const entry = row[method]!;
      lines.push(
        `| ${METHOD_LABELS[method]} | ${entry.meanPercent === null ? 'n/a' : percent(entry.meanPercent)} | ${entry.clipsWithValue}/${report.clips.length} | ${entry.clipsWithoutOverlap} | ${bdCell(averagedBd[method])} |`,
      );
    }
    const hint = bestAtLowRate(report.averaged, metric);
    lines.push('', ...(hint ? [hint, ''] : []));
  }
  return lines;
}

function averagedBdRow(report: EvalReport, metric: MetricId): Partial<Record<MethodId, BdRateResult>> {
  return report.averagedBd[metric] ?? {};
}

function rangeTable(report: EvalReport): string[] {
  const lines = ['| method | lowest bpp | highest bpp | lowest kbps | highest kbps |', '|---|---:|---:|---:|---:|'];
  for (const method of METHOD_ORDER) {
    const range = report.rateRanges[method];
    if (range) lines.push(`| ${METHOD_LABELS[method]} | ${bppText(range.minBpp)} | ${bppText(range.maxBpp)} | ${kbpsText(range.minKbps)} | ${kbpsText(range.maxKbps)} |`);
  }
  return lines;
}

function averagedPointsTable(report: EvalReport): string[] {
  const lines = [
    '| method | setting | bpp | kbps | VMAF | MS-SSIM | SSIM | PSNR-Y | caption sim. | class Jaccard |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const cell = (value: number | null | undefined, digits: number): string => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–');
  for (const m of [...report.averaged].sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) || a.bpp - b.bpp)) {
    lines.push(
      `| ${METHOD_LABELS[m.method]} | ${m.label} | ${bppText(m.bpp)} | ${kbpsText(m.kbps)} | ${cell(m.quality.vmaf, 1)} | ${cell(m.quality.msssim, 3)} | ${cell(m.quality.ssim, 3)} | ${cell(m.quality.psnrY, 2)} | ${cell(m.semantic?.captionSimilarity, 3)} | ${cell(m.semantic?.detectionJaccard, 2)} |`,
    );
  }
  return lines;
}

function clipSection(clip: ClipReport, anchor: MethodId): string[] {
  const methods = METHOD_ORDER.filter((m) => m !== anchor && clip.measurements.some((x) => x.method === m));
  const lines = [
    `### ${clip.name}`,
    '',
    `${clip.width}×${clip.height}, ${clip.fps.toFixed(2)} fps, ${clip.frameCount} frames (${clip.seconds.toFixed(2)} s); evaluated in ${clip.elapsedSeconds.toFixed(0)} s. Source captions: ${clip.sourceCaptions.map((c) => `“${c}”`).join('; ')}`,
    '',
    `![${clip.name}](results/${plotName(clip.name)}.svg)`,
    '',
    `| BD-rate vs ${METHOD_LABELS[anchor]} | ${methods.map((m) => METHOD_LABELS[m]).join(' | ')} |`,
    `|---|${methods.map(() => '---:').join('|')}|`,
  ];
  for (const metric of METRIC_ORDER) {
    const row = clip.bdRates[metric];
    if (row) lines.push(`| ${METRIC_NAMES[metric]} | ${methods.map((m) => bdCell(row[m])).join(' | ')} |`);
  }
  if (clip.notes.length > 0) lines.push('', ...clip.notes.map((note) => `* ${note}`));
  lines.push('');
  return lines;
}

/** Which methods reach below the baselines' lowest rate: there BD-rates are undefined, and the plots must be read. */
function lowRateSummary(report: EvalReport): string[] {
  const baselineMethods = METHOD_ORDER.filter((m) => !m.startsWith('cmvc') && report.rateRanges[m]);
  if (baselineMethods.length === 0) return [];
  const floor = Math.min(...baselineMethods.map((m) => report.rateRanges[m]!.minBpp));
  const below = METHOD_ORDER.filter((m) => m.startsWith('cmvc') && (report.rateRanges[m]?.minBpp ?? Infinity) < floor);
  const lines = [
    `The baselines' lowest rate, with every encoder at its maximum CRF, downscaled and at a quarter of the frame rate, is ${bppText(floor)} bpp.`,
  ];
  for (const method of below) {
    const range = report.rateRanges[method]!;
    lines.push(
      `${METHOD_LABELS[method]} reaches ${bppText(range.minBpp)} bpp, ${(floor / range.minBpp).toFixed(1)}× lower: in that region there is no baseline curve to compare with, so BD-rates there are undefined ("no overlap" or "too few points" in the tables) rather than extrapolated; compare the curves in the plots and the averaged operating points instead.`,
    );
  }
  const notBelow = METHOD_ORDER.filter((m) => m.startsWith('cmvc') && report.rateRanges[m] && !below.includes(m));
  if (notBelow.length > 0) lines.push(`${notBelow.map((m) => METHOD_LABELS[m]).join(' and ')} did not reach below that rate with the evaluated settings.`);
  return [lines.join(' ')];
}

function motionSettingText(motionQualities: readonly string[]): string {
  if (motionQualities.length === 0) return 'The motion side channel was not evaluated.';
  return `"+ motion" is the ${motionQualities.join(' and ')} quality encoded again with the coarse motion side channel (bitstream section 8: a residual flow field per interpolated frame on an 8-column grid, counted in R_m), same keyframe counts.`;
}

/** With against without the motion side channel: like-for-like settings and BD-rates against plain IT2V. */
function sideChannelSection(report: EvalReport): string[] {
  const summary = report.sideChannel;
  if (!summary) return [];
  const cell = (value: number | null | undefined, digits: number): string => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–');
  const delta = (a: number | null | undefined, b: number | null | undefined, digits: number): string =>
    typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) ? `${b - a >= 0 ? '+' : ''}${(b - a).toFixed(digits)}` : '–';
  const lines = [
    '## Motion side channel',
    '',
    `${METHOD_LABELS['cmvc-it2v-motion']} against ${METHOD_LABELS['cmvc-it2v']}: the same settings, averaged over clips (the side channel's own cost is the rate difference).`,
    '',
    '| setting | kbps without | kbps with | side channel kbps | PSNR-Y without | PSNR-Y with | Δ PSNR-Y | VMAF without | VMAF with | Δ VMAF |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { label, without, with: withChannel } of summary.points) {
    lines.push(
      `| ${label} | ${kbpsText(without.kbps)} | ${kbpsText(withChannel.kbps)} | ${kbpsText(withChannel.kbps - without.kbps)} | ${cell(without.quality.psnrY, 2)} | ${cell(withChannel.quality.psnrY, 2)} | ${delta(without.quality.psnrY, withChannel.quality.psnrY, 2)} | ${cell(without.quality.vmaf, 1)} | ${cell(withChannel.quality.vmaf, 1)} | ${delta(without.quality.vmaf, withChannel.quality.vmaf, 1)} |`,
    );
  }
  lines.push(
    '',
    `BD-rate of ${METHOD_LABELS['cmvc-it2v-motion']} against ${METHOD_LABELS['cmvc-it2v']} (negative = fewer bits for the same score), against the same settings without the side channel (what the side channel itself is worth) and against all ${METHOD_LABELS['cmvc-it2v']} settings (against spending the bytes on keyframes instead):`,
    '',
    '| metric | same settings: mean over clips | clips with a value | on the averaged curves | all settings: mean over clips | clips with a value | on the averaged curves |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  const meanCell = (entry: SideChannelBd | undefined): string => (!entry ? '–' : entry.perClip.meanPercent === null ? 'n/a' : percent(entry.perClip.meanPercent));
  const countCell = (entry: SideChannelBd | undefined): string => (entry ? `${entry.perClip.clipsWithValue}/${report.clips.length}` : '–');
  for (const metric of METRIC_ORDER) {
    const same = summary.bdSameSettings[metric];
    const all = summary.bdAllSettings[metric];
    if (!same && !all) continue;
    lines.push(
      `| ${METRIC_NAMES[metric]} | ${meanCell(same)} | ${countCell(same)} | ${bdCell(same?.averaged)} | ${meanCell(all)} | ${countCell(all)} | ${bdCell(all?.averaged)} |`,
    );
  }
  lines.push('');
  return lines;
}

function stageTable(report: EvalReport): string[] {
  const entries = Object.entries(report.stageSeconds);
  if (entries.length === 0) return [];
  return ['| stage | seconds |', '|---|---:|', ...entries.map(([stage, seconds]) => `| ${stage} | ${seconds.toFixed(1)} |`)];
}

/** File-name stem of a clip's plot and JSON. */
export const plotName = (clipName: string): string => clipName.replace(/[^A-Za-z0-9_-]+/g, '_');

/** The human-readable report (docs/RESULTS.md). */
export function renderMarkdown(report: EvalReport, command: string): string {
  const { settings } = report;
  const lines: string[] = [
    '# CMVC rate–distortion results',
    '',
    `Generated ${report.generatedAt} by \`${command}\` in ${(report.elapsedSeconds / 60).toFixed(1)} min. Regenerate with the same command; raw numbers are in [results/aggregate.json](results/aggregate.json) and one JSON per clip.`,
    '',
    '## What was measured',
    '',
    `* Clips: the first ${settings.seconds} s of ${settings.clips.length} videos in \`${settings.mediaDir}\` (${settings.clips.join(', ')}), converted losslessly to yuv420p as the reference.`,
    `* Baselines (elementary streams, bytes counted without a container): ${settings.encoders.join('; ')}. Every reduced variant is upscaled (bicubic) and frame-repeated back to the source size, rate and exact frame count before measuring.`,
    `* CMVC: keyframes n ∈ {${settings.keyframeCounts.join(', ')}} × keyframe quality {${settings.qualities.join(', ')}}, text form \`auto\`, decoded with IT2V at the source size. "no texts" is the same stream with empty descriptions (what IT2V alone needs: same frames, fewer bytes). ${motionSettingText(settings.motionQualities)} TT2V: ${settings.tt2v}; its rate counts only the sections TT2V reads (header, descriptions, camera motion), one point per n.`,
    `* Metrics: PSNR (Y and YUV, from the mean squared error over all frames), SSIM (ffmpeg, YUV "All"), MS-SSIM (Y plane, 5 scales, standard weights, mean over ${settings.msssimFrames} frames), VMAF (${settings.vmaf}). Semantic consistency on ${settings.semanticFrames} sampled frames: USE-lite cosine similarity between the describer's captions of the source and of the reconstruction, and the Jaccard index of the detected COCO class sets.`,
    `* BD-rate: Bjøntegaard delta rate against **${METHOD_LABELS[settings.anchor]}**, PCHIP interpolation of log(bpp) over the score, integrated over the score range both curves cover, on each method's Pareto frontier (the best points of its sweep). Negative = fewer bits for the same score. Where the ranges do not overlap there is no value.`,
    '',
    ...(report.notes.length > 0 ? ['Notes:', '', ...report.notes.map((n) => `* ${n}`), ''] : []),
    '## Reading the results',
    '',
    '![average rate–distortion curves](results/average.svg)',
    '',
    'Rates each method reached (all clips):',
    '',
    ...rangeTable(report),
    '',
    ...lowRateSummary(report),
    '',
    '## BD-rate per metric (averaged over clips)',
    '',
    ...aggregateTables(report),
    ...sideChannelSection(report),
    '## Averaged operating points',
    '',
    'Each row is one setting averaged over all clips.',
    '',
    ...averagedPointsTable(report),
    '',
    '## Per clip',
    '',
    ...report.clips.flatMap((clip) => clipSection(clip, settings.anchor)),
    '## Where the time went',
    '',
    'Wall-clock seconds per stage, summed over the run. The ffmpeg metrics, the models and the next baseline encode run at the same time, so the stages add up to more than the total.',
    '',
    ...stageTable(report),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
