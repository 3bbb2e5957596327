import { bdRate, paretoFrontier, type BdRateResult } from '../bdrate/bdrate.ts';
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
  type PointComparison,
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
  const anchors = report.settings.anchors.filter((anchor) => report.aggregateBd[anchor]);
  for (const metric of METRIC_ORDER) {
    const methods = METHOD_ORDER.filter((m) => anchors.some((anchor) => report.aggregateBd[anchor]?.[metric]?.[m]));
    if (methods.length === 0) continue;
    lines.push(`### ${METRIC_NAMES[metric]}`, '');
    lines.push(
      `| method | ${anchors.map((a) => `mean BD-rate vs ${METHOD_LABELS[a]} | clips with a value | on the averaged curve`).join(' | ')} |`,
      `|---|${anchors.map(() => '---:|---:|---:').join('|')}|`,
    );
    for (const method of methods) {
      const cells = anchors.map((anchor) => {
        const entry = report.aggregateBd[anchor]?.[metric]?.[method];
        if (!entry) return '– | – | –';
        const mean = entry.meanPercent === null ? 'n/a' : percent(entry.meanPercent);
        return `${mean} | ${entry.clipsWithValue}/${report.clips.length}${entry.clipsWithoutOverlap > 0 ? ` (${entry.clipsWithoutOverlap} no overlap)` : ''} | ${bdCell(report.averagedBd[anchor]?.[metric]?.[method])}`;
      });
      lines.push(`| ${METHOD_LABELS[method]} | ${cells.join(' | ')} |`);
    }
    const hint = bestAtLowRate(report.averaged, metric);
    lines.push('', ...(hint ? [hint, ''] : []));
  }
  return lines;
}

/** Per-clip BD-rates of one metric against each anchor, one row per clip. */
function perClipBdTable(report: EvalReport, metric: MetricId): string[] {
  const lines: string[] = [];
  for (const anchor of report.settings.anchors) {
    const methods = METHOD_ORDER.filter((m) => m !== anchor && report.clips.some((clip) => clip.bdRates[anchor]?.[metric]?.[m]));
    if (methods.length === 0) continue;
    lines.push(`BD-rate (${METRIC_NAMES[metric]}) against **${METHOD_LABELS[anchor]}**:`, '');
    // IT2V without the `floor` point: the curve over the measured presets only, not interpolated across the gap between floor and low.
    const presetsOnly = report.clips.map((clip) => {
      const points = rdPoints(clip.measurements.filter((m) => m.label !== 'floor'), 'cmvc-it2v', metric);
      return points.length > 0 && points.length < rdPoints(clip.measurements, 'cmvc-it2v', metric).length ? bdRate(rdPoints(clip.measurements, anchor, metric), points) : undefined;
    });
    const withPresets = presetsOnly.some((r) => r !== undefined);
    lines.push(
      `| clip | ${methods.map((m) => METHOD_LABELS[m]).join(' | ')}${withPresets ? ' | CMVC IT2V, presets only (no floor) | its score range |' : ' |'}`,
      `|---|${methods.map(() => '---:').join('|')}${withPresets ? '|---:|---:|' : '|'}`,
    );
    report.clips.forEach((clip, i) => {
      const extra = presetsOnly[i];
      const range = extra?.status === 'ok' ? `${scoreText(metric, extra.qualityRange[0])}–${scoreText(metric, extra.qualityRange[1])}` : '–';
      lines.push(`| ${clip.name} | ${methods.map((m) => bdCell(clip.bdRates[anchor]?.[metric]?.[m])).join(' | ')}${withPresets ? ` | ${bdCell(extra)} | ${range} |` : ' |'}`);
    });
    const aggregate = report.aggregateBd[anchor]?.[metric];
    const presetValues = presetsOnly.flatMap((r) => (r?.status === 'ok' ? [r.percent] : []));
    lines.push(
      `| **mean of clips** | ${methods.map((m) => (aggregate?.[m]?.meanPercent == null ? 'n/a' : `**${percent(aggregate[m]!.meanPercent!)}**`)).join(' | ')}${withPresets ? ` | ${presetValues.length > 0 ? `**${percent(mean(presetValues))}**` : 'n/a'} | |` : ' |'}`,
      '',
    );
  }
  return lines;
}

const vmafCell = (value: number | null | undefined): string => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const signedCell = (value: number | null | undefined): string => (typeof value === 'number' && Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(1)}` : 'n/a');

/** A CMVC point per clip next to the anchors' VMAF at the same bytes. */
function sameRateTable(rows: readonly PointComparison[], anchors: readonly MethodId[], withFloors: boolean): string[] {
  if (rows.length === 0) return ['(not evaluated)'];
  const header = [
    'clip',
    'kbps',
    'bpp',
    'VMAF',
    'feature dist.',
    ...anchors.flatMap((a) => [`${METHOD_LABELS[a]} VMAF at same bytes`, 'Δ VMAF']),
    ...(withFloors ? anchors.map((a) => `${METHOD_LABELS[a]} lowest kbps`) : []),
  ];
  const lines = [`| ${header.join(' | ')} |`, `|---|${header.slice(1).map(() => '---:').join('|')}|`];
  for (const row of rows) {
    const cells = [
      row.clip,
      kbpsText(row.kbps),
      bppText(row.bpp),
      vmafCell(row.vmaf),
      row.featureDistance === null ? '–' : row.featureDistance.toFixed(3),
      ...anchors.flatMap((a) => {
        const same = row.sameRate.find((s) => s.anchor === a);
        return [vmafCell(same?.vmaf), signedCell(same?.difference)];
      }),
      ...(withFloors ? anchors.map((a) => (row.anchorFloorKbps[a] === undefined ? '–' : kbpsText(row.anchorFloorKbps[a]!))) : []),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const differences = anchors.map((a) => row_mean(rows.map((r) => r.sameRate.find((s) => s.anchor === a)?.difference)));
  lines.push(
    `| **mean** | ${kbpsText(mean(rows.map((r) => r.kbps)))} | ${bppText(mean(rows.map((r) => r.bpp)))} | ${vmafCell(row_mean(rows.map((r) => r.vmaf)))} | ${row_mean(rows.map((r) => r.featureDistance))?.toFixed(3) ?? '–'} | ${anchors
      .map((a, i) => `${vmafCell(row_mean(rows.map((r) => r.sameRate.find((s) => s.anchor === a)?.vmaf)))} | ${signedCell(differences[i])}`)
      .join(' | ')}${withFloors ? ` | ${anchors.map(() => '').join(' | ')}` : ''} |`,
  );
  return lines;
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
/** Mean of the values that exist (null when none). */
function row_mean(values: readonly (number | null | undefined)[]): number | null {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return finite.length > 0 ? mean(finite) : null;
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
    '| method | setting | bpp | kbps | VMAF | MS-SSIM | feature dist. | SSIM | PSNR-Y | caption sim. | class Jaccard |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const cell = (value: number | null | undefined, digits: number): string => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–');
  for (const m of [...report.averaged].sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) || a.bpp - b.bpp)) {
    lines.push(
      `| ${METHOD_LABELS[m.method]} | ${m.label} | ${bppText(m.bpp)} | ${kbpsText(m.kbps)} | ${cell(m.quality.vmaf, 1)} | ${cell(m.quality.msssim, 3)} | ${cell(m.featureDistance, 3)} | ${cell(m.quality.ssim, 3)} | ${cell(m.quality.psnrY, 2)} | ${cell(m.semantic?.captionSimilarity, 3)} | ${cell(m.semantic?.detectionJaccard, 2)} |`,
    );
  }
  return lines;
}

function clipSection(clip: ClipReport, anchors: readonly MethodId[]): string[] {
  const lines = [
    `### ${clip.name}`,
    '',
    `${clip.width}×${clip.height}, ${clip.fps.toFixed(2)} fps, ${clip.frameCount} frames (${clip.seconds.toFixed(2)} s); evaluated in ${clip.elapsedSeconds.toFixed(0)} s. Source captions: ${clip.sourceCaptions.map((c) => `“${c}”`).join('; ')}`,
    '',
    `![${clip.name}](results/${plotName(clip.name)}.svg)`,
    '',
  ];
  for (const anchor of anchors) {
    const table = clip.bdRates[anchor];
    if (!table) continue;
    const methods = METHOD_ORDER.filter((m) => m !== anchor && clip.measurements.some((x) => x.method === m));
    lines.push(`| BD-rate vs ${METHOD_LABELS[anchor]} | ${methods.map((m) => METHOD_LABELS[m]).join(' | ')} |`, `|---|${methods.map(() => '---:').join('|')}|`);
    for (const metric of METRIC_ORDER) {
      const row = table[metric];
      if (row) lines.push(`| ${METRIC_NAMES[metric]} | ${methods.map((m) => bdCell(row[m])).join(' | ')} |`);
    }
    lines.push('');
  }
  const cmvc = clip.measurements.filter((m) => m.method.startsWith('cmvc')).sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) || a.bpp - b.bpp);
  if (cmvc.length > 0) {
    lines.push('| CMVC point | kbps | VMAF | MS-SSIM | feature dist. | PSNR-Y |', '|---|---:|---:|---:|---:|---:|');
    const cell = (value: number | null | undefined, digits: number): string => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–');
    for (const m of cmvc) lines.push(`| ${METHOD_LABELS[m.method]} ${m.label} | ${kbpsText(m.kbps)} | ${cell(m.quality.vmaf, 1)} | ${cell(m.quality.msssim, 3)} | ${cell(m.featureDistance, 3)} | ${cell(m.quality.psnrY, 2)} |`);
    lines.push('');
  }
  if (clip.notes.length > 0) lines.push(...clip.notes.map((note) => `* ${note}`), '');
  return lines;
}

/** Which methods reach below the baselines' lowest rate: there BD-rates are undefined, and the plots must be read. */
function lowRateSummary(report: EvalReport): string[] {
  const baselineMethods = METHOD_ORDER.filter((m) => !m.startsWith('cmvc') && report.rateRanges[m]);
  if (baselineMethods.length === 0) return [];
  const floor = Math.min(...baselineMethods.map((m) => report.rateRanges[m]!.minBpp));
  const below = METHOD_ORDER.filter((m) => m.startsWith('cmvc') && (report.rateRanges[m]?.minBpp ?? Infinity) < floor);
  const lines = [
    `The baselines' lowest rate on any clip (the encoders at their maximum CRF, downscaled and at a quarter of the frame rate) is ${bppText(floor)} bpp.`,
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

function motionSettingText(motionPoints: readonly string[]): string {
  if (motionPoints.length === 0) return 'The motion side channel was not evaluated (its extra encode and decode per clip do not fit the run\'s time budget; `--motion-points middle` adds it).';
  return `"+ motion" is the ${motionPoints.join(' and ')} point encoded again with the coarse motion side channel (bitstream section 8: a residual flow field per interpolated frame, counted in the stream).`;
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
  const anchors = settings.anchors;
  const anchorNames = anchors.map((a) => `**${METHOD_LABELS[a]}**`).join(' and ');
  const lines: string[] = [
    '# CMVC rate–distortion results',
    '',
    `Generated ${report.generatedAt} by \`${command}\` in ${(report.elapsedSeconds / 60).toFixed(1)} min. Regenerate with the same command; raw numbers are in [results/aggregate.json](results/aggregate.json) and one JSON per clip.`,
    '',
    '## What was measured',
    '',
    `* Clips: ${settings.seconds === null ? 'the whole of' : `the first ${settings.seconds} s of`} ${settings.clips.length} videos in \`${settings.mediaDir}\` (${settings.clips.join(', ')}), converted losslessly to yuv420p as the reference.`,
    `* Baselines, every stored byte counted and no container byte (Annex B for H.264/HEVC, bare OBUs for AV1): ${settings.encoders.join('; ')}. Every reduced variant is upscaled (bicubic) and frame-repeated back to the source size, rate and exact frame count before measuring. Each method's curve is the Pareto frontier of its points.`,
    `* CMVC (format 2: one inter-coded AV1 keyframe layer + IT2V interpolation weights + texts), no sound (\`audioKbps: 0\`; the clips have none), text form \`auto\`, the whole .cmvc stream counted, decoded with IT2V at the source size to lossless y4m: ${settings.cmvcPoints.join('; ')}. The encoder's defaults otherwise (\`keyframes\` unset); \`middle\` is the default setting. "no texts" is the same stream with empty descriptions (what IT2V alone needs: same frames, fewer bytes). ${motionSettingText(settings.motionPoints)} TT2V: ${settings.tt2v}; its rate counts only the sections TT2V reads (header, descriptions, camera motion).`,
    `* Metrics: PSNR (Y and YUV, from the mean squared error over all frames), SSIM (ffmpeg, YUV "All"), MS-SSIM (Y plane, 5 scales, standard weights, mean over ${settings.msssimFrames} frames), VMAF (${settings.vmaf}). MobileNetV2 feature distance: ${settings.featureDistance}; lower is better, so BD-rates use 1 − distance as the score (it is a deep-feature distance, not LPIPS). Semantic consistency on ${settings.semanticFrames} sampled frame(s)${settings.semanticBaselines ? '' : ', for the CMVC points only (not the baselines, for time: so there are no semantic BD-rates)'}: USE-lite cosine similarity between the describer's captions of the source and of the reconstruction, and the Jaccard index of the detected COCO class sets.`,
    `* BD-rate: Bjøntegaard delta rate against ${anchorNames}, PCHIP interpolation of log(bpp) over the score, integrated over the score range both curves cover, on each method's Pareto frontier. Negative = fewer bits for the same score. Where the ranges do not overlap there is no value.`,
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
    '## The default setting (`middle`) against AV1 at the same bytes',
    '',
    `CMVC IT2V at its default quality per clip, next to the VMAF each AV1 frontier reaches at the same rate (interpolated linearly in log-rate between frontier points; "n/a" outside the frontier's rate range). Δ = CMVC − AV1.`,
    '',
    ...sameRateTable(report.defaultSetting, anchors, false),
    '',
    '## The `floor` point',
    '',
    "The lowest IT2V setting, per clip, with the lowest rate each AV1 encoder reached (CRF 63 at ¼ size and ¼ frame rate); below that rate AV1 has no curve, hence \"n/a\".",
    '',
    ...sameRateTable(report.floorPoints, anchors, true),
    '',
    '## BD-rate per clip (VMAF)',
    '',
    "The CMVC IT2V curve runs from `floor` to `high`; between `floor` and `low` there is no measured point (a wide gap in rate and score), so most of the score range the BD-rate integrates over is interpolated there. The \"presets only\" column leaves `floor` out: the BD-rate over the measured presets `low`–`high` alone, on the score range given.",
    '',
    ...perClipBdTable(report, 'vmaf'),
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
    ...report.clips.flatMap((clip) => clipSection(clip, anchors)),
    '## Where the time went',
    '',
    'Wall-clock seconds per stage, summed over the run. The ffmpeg metrics, the models and the next encode run at the same time, so the stages add up to more than the total.',
    '',
    ...stageTable(report),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
