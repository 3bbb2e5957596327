import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import {
  FLOOR_LAYER_TARGET,
  aggregateBd,
  averageMeasurements,
  bdTable,
  bdTables,
  bdRate,
  cmvcOperatingPoints,
  compareAtSameRate,
  frontierAtRate,
  logTicks,
  metricValue,
  operatingPointLabel,
  rateRanges,
  rdChartSvg,
  renderMarkdown,
  sideChannelSummary,
  svgToPng,
  type ClipReport,
  type EvalReport,
  type Measurement,
  type MethodId,
} from '../src/index.ts';

/** Points on q = 10·ln(bpp) + c, so BD-rates between methods follow from the offsets. */
function method(method: MethodId, rates: readonly number[], offset: number, labels?: readonly string[]): Measurement[] {
  return rates.map((bpp, i) => {
    const q = 10 * Math.log(bpp) + offset;
    return {
      method,
      label: labels?.[i] ?? `p${i}`,
      bytes: bpp * 1000,
      bpp,
      kbps: bpp * 100,
      quality: { psnrY: q, psnrYuv: q + 1, ssim: 0.5, msssim: null, vmaf: q },
      // Distance falls as quality rises: 1 − distance is q / 100.
      featureDistance: 1 - q / 100,
      semantic: { captionSimilarity: 0.5, detectionJaccard: 1 },
    };
  });
}

const ANCHORS: MethodId[] = ['x265', 'svt-av1'];

function clip(name: string): ClipReport {
  const measurements = [
    ...method('x265', [0.01, 0.02, 0.04], 80),
    ...method('x264', [0.01, 0.02, 0.04], 80 - 10 * Math.log(1.5)),
    // SVT-AV1 needs half x265's rate for every score.
    ...method('svt-av1', [0.005, 0.01, 0.02], 80 + 10 * Math.log(2)),
    ...method('cmvc-it2v', [1e-4, 2e-4, 0.01], 40, ['floor', 'p1', 'middle']),
    // The side channel reaches each score at 0.8× the rate: a BD-rate of −20 % against plain IT2V.
    ...method('cmvc-it2v-motion', [1.1e-4, 2.2e-4], 40 + 10 * Math.log(1.25), ['floor', 'p1']),
  ];
  return { name, width: 64, height: 48, fps: 10, frameCount: 10, seconds: 1, sourceCaptions: ['a test'], measurements, bdRates: bdTables(measurements, ANCHORS), notes: [], elapsedSeconds: 1 };
}

describe('analysis and report', () => {
  const clips = [clip('a.mkv'), clip('b.mkv')];
  const averaged = averageMeasurements(clips);
  const report: EvalReport = {
    generatedAt: '2026-01-01T00:00:00.000Z',
    settings: {
      mediaDir: '/media',
      seconds: null,
      clips: ['a.mkv', 'b.mkv'],
      anchors: ANCHORS,
      encoders: ['x264', 'x265', 'svt-av1'],
      cmvcPoints: ['middle: quality preset middle', 'floor: layerTarget'],
      motionPoints: ['floor'],
      vmaf: 'test',
      msssimFrames: 2,
      semanticFrames: 1,
      semanticBaselines: true,
      featureDistance: 'test',
      tt2v: 'off',
    },
    clips,
    averaged,
    averagedBd: bdTables(averaged, ANCHORS),
    aggregateBd: aggregateBd(clips, ANCHORS),
    defaultSetting: compareAtSameRate(clips, 'middle', ANCHORS),
    floorPoints: compareAtSameRate(clips, 'floor', ANCHORS),
    rateRanges: rateRanges(clips),
    sideChannel: sideChannelSummary(clips, averaged),
    notes: ['VMAF skipped: test.'],
    stageSeconds: { restore: 1 },
    elapsedSeconds: 3,
  };

  it('computes BD-rates per metric against every anchor and says where curves do not overlap', () => {
    const psnr = clips[0]!.bdRates.x265!.psnrY!;
    expect(psnr.x264?.status === 'ok' && psnr.x264.percent).toBeCloseTo(50, 6);
    expect(psnr['cmvc-it2v']?.status).toBe('no-overlap');
    const svt = clips[0]!.bdRates['svt-av1']!.psnrY!;
    expect(svt.x265?.status === 'ok' && svt.x265.percent).toBeCloseTo(100, 6);
    expect(svt['svt-av1']).toBeUndefined();
    expect(report.aggregateBd.x265?.psnrY?.x264?.meanPercent).toBeCloseTo(50, 6);
    expect(report.aggregateBd['svt-av1']?.psnrY?.x264?.meanPercent).toBeCloseTo(200, 6);
    expect(report.aggregateBd.x265?.psnrY?.['cmvc-it2v']).toMatchObject({ meanPercent: null, clipsWithoutOverlap: 2 });
    expect(report.rateRanges['cmvc-it2v']).toMatchObject({ minBpp: 1e-4, maxBpp: 0.01 });
    // An anchor without points has no table.
    expect(bdTables(clips[0]!.measurements, ['libaom-av1'])).toEqual({});
  });

  it('treats the feature distance as lower-is-better: BD-rate on 1 − distance', () => {
    const m = clips[0]!.measurements[0]!;
    expect(metricValue(m, 'featureScore')).toBeCloseTo(1 - m.featureDistance!, 12);
    expect(metricValue({ ...m, featureDistance: null }, 'featureScore')).toBeUndefined();
    // x264 needs 1.5× x265's rate for the same distance: +50 %, not −33 %.
    const feature = clips[0]!.bdRates.x265!.featureScore!;
    expect(feature.x264?.status === 'ok' && feature.x264.percent).toBeCloseTo(50, 6);
    // A method with uniformly larger distances at the same rates is worse (positive BD-rate).
    const worse = (['x265', 'x264'] as const).flatMap((id) =>
      [0.01, 0.02, 0.04].map((bpp) => ({ method: id as MethodId, bpp, distance: (id === 'x264' ? 0.55 : 0.5) - 10 * bpp })),
    );
    const points = (id: MethodId) => worse.filter((p) => p.method === id).map((p) => ({ rate: p.bpp, quality: 1 - p.distance }));
    const result = bdRate(points('x265'), points('x264'));
    expect(result.status === 'ok' && result.percent).toBeGreaterThan(0);
  });

  it('reads an anchor frontier at a given rate, in log-rate, and nowhere outside it', () => {
    const measurements = clips[0]!.measurements;
    // svt-av1 points: q = 10·ln(bpp) + 80 + 10·ln 2 at kbps = 100·bpp; linear in log-rate, so exact.
    const at = (kbps: number) => 10 * Math.log(kbps / 100) + 80 + 10 * Math.log(2);
    expect(frontierAtRate(measurements, 'svt-av1', 'vmaf', 0.7)).toBeCloseTo(at(0.7), 9);
    expect(frontierAtRate(measurements, 'svt-av1', 'vmaf', 0.5)).toBeCloseTo(at(0.5), 9);
    expect(frontierAtRate(measurements, 'svt-av1', 'vmaf', 2)).toBeCloseTo(at(2), 9);
    expect(frontierAtRate(measurements, 'svt-av1', 'vmaf', 0.4)).toBeUndefined();
    expect(frontierAtRate(measurements, 'svt-av1', 'vmaf', 3)).toBeUndefined();
    expect(frontierAtRate(measurements, 'libaom-av1', 'vmaf', 1)).toBeUndefined();
  });

  it('compares the default and floor points with the anchors at the same bytes', () => {
    const [middle] = report.defaultSetting;
    expect(report.defaultSetting.map((r) => r.clip)).toEqual(['a.mkv', 'b.mkv']);
    expect(middle).toMatchObject({ label: 'middle', kbps: 1 });
    const svt = middle!.sameRate.find((s) => s.anchor === 'svt-av1')!;
    expect(svt.vmaf).toBeCloseTo(80 + 10 * Math.log(2) + 10 * Math.log(0.01), 9);
    expect(svt.difference).toBeCloseTo(middle!.vmaf! - svt.vmaf!, 12);
    const [floor] = report.floorPoints;
    expect(floor!.sameRate.every((s) => s.vmaf === null && s.difference === null)).toBe(true);
    expect(floor!.anchorFloorKbps).toEqual({ x265: 1, 'svt-av1': 0.5 });
    const markdown = renderMarkdown(report, 'npm run eval');
    expect(markdown).toContain('## The default setting (`middle`) against AV1 at the same bytes');
    expect(markdown).toContain('## The `floor` point');
    expect(markdown).toMatch(/\| a\.mkv \| 1\.00 \| 0\.010 \|/);
    expect(markdown).toContain('the whole of 2 videos');
  });

  it('compares IT2V with and without the motion side channel setting by setting and by BD-rate', () => {
    const summary = report.sideChannel!;
    expect(summary.points.map((p) => [p.label, p.without.bpp, p.with.bpp])).toEqual([
      ['floor', 1e-4, 1.1e-4],
      ['p1', 2e-4, 2.2e-4],
    ]);
    for (const psnr of [summary.bdSameSettings.psnrY!]) {
      expect(psnr.perClip.clipsWithValue).toBe(2);
      expect(psnr.perClip.meanPercent).toBeCloseTo(-20, 6);
      expect(psnr.averaged?.status === 'ok' && psnr.averaged.percent).toBeCloseTo(-20, 6);
    }
    expect(sideChannelSummary([{ ...clips[0]!, measurements: clips[0]!.measurements.filter((m) => m.method !== 'cmvc-it2v-motion') }], averaged)).toBeNull();
    const markdown = renderMarkdown(report, 'npm run eval');
    expect(markdown).toContain('## Motion side channel');
    expect(markdown).toMatch(/\| PSNR-Y \(dB\) \| -20\.0 % \| 2\/2 \| -20\.0 % \|/);
    expect(markdown).toContain('| floor | 0.01 | 0.01 |');
  });

  it('evaluates the quality presets and the floor point, the side channel only where asked', () => {
    const points = cmvcOperatingPoints(['low', 'middle', 'high', 'floor'], ['middle']);
    expect(points.map((p) => `${operatingPointLabel(p)} ${p.withMotionSideChannel}`)).toEqual(['low false', 'middle true', 'high false', 'floor false']);
    expect(points[1]).toMatchObject({ quality: 'middle' });
    expect(points[1]!.layerTarget).toBeUndefined();
    expect(points[3]!.layerTarget).toEqual(FLOOR_LAYER_TARGET);
    expect(FLOOR_LAYER_TARGET).toEqual({ interpolationPsnr: 0, crf: 63, crfPerDoubling: 0, maxSpacingSeconds: 2, scale: 0.25 });
    expect(() => cmvcOperatingPoints(['low'], ['high'])).toThrow(/must also be evaluated without it/);
    expect(() => cmvcOperatingPoints(['n3' as 'low'])).toThrow(/unknown/);
  });

  it('renders a markdown report with BD-rate tables per anchor, per clip, and rate ranges', () => {
    const markdown = renderMarkdown(report, 'npm run eval');
    expect(markdown).toContain('| x264 (H.264) | +50.0 % | 2/2 | +50.0 % | +200.0 % | 2/2 | +200.0 % |');
    expect(markdown).toContain('| CMVC IT2V | n/a | 0/2 (2 no overlap) | no overlap |');
    expect(markdown).toContain('BD-rate (VMAF) against **SVT-AV1**:');
    expect(markdown).toMatch(/\| b\.mkv \| \+200\.0 % \| \+100\.0 % \|/);
    expect(markdown).toContain('| CMVC IT2V | 1.00e-4 | 0.010 |');
    expect(markdown).toContain('VMAF skipped: test.');
  });

  it('draws one line per method on a log-rate axis, as SVG and PNG', async () => {
    const svg = rdChartSvg('test', averaged, ['psnrY', 'featureScore', 'msssim']);
    expect(svg.match(/<polyline /g)).toHaveLength(10);
    expect(svg).toContain('CMVC IT2V + motion');
    expect(svg).toContain('CMVC IT2V');
    expect(svg).toContain('not measured');
    expect(svg).toContain('bits per pixel (log scale)');
    const png = await svgToPng(svg);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    // librsvg renders at density/72 of the SVG size (840 × 96/72).
    expect(meta.width).toBe(Math.round((840 * 96) / 72));
  });

  it('puts log ticks on decades (with 2 and 5 when the span is short)', () => {
    expect(logTicks(0.009, 0.21)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2]);
    expect(logTicks(1e-5, 1)).toEqual([1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1]);
  });
});
