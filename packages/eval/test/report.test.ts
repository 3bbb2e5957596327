import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import {
  aggregateBd,
  averageMeasurements,
  bdTable,
  cmvcOperatingPoints,
  logTicks,
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
function method(method: MethodId, rates: readonly number[], offset: number): Measurement[] {
  return rates.map((bpp, i) => {
    const q = 10 * Math.log(bpp) + offset;
    return {
      method,
      label: `p${i}`,
      bytes: bpp * 1000,
      bpp,
      kbps: bpp * 100,
      quality: { psnrY: q, psnrYuv: q + 1, ssim: 0.5, msssim: null, vmaf: null },
      semantic: { captionSimilarity: 0.5, detectionJaccard: 1 },
    };
  });
}

function clip(name: string): ClipReport {
  const measurements = [
    ...method('x265', [0.01, 0.02, 0.04], 80),
    ...method('x264', [0.01, 0.02, 0.04], 80 - 10 * Math.log(1.5)),
    ...method('cmvc-it2v', [1e-4, 2e-4], 40),
    // The side channel reaches each score at 0.8× the rate: a BD-rate of −20 % against plain IT2V.
    ...method('cmvc-it2v-motion', [1.1e-4, 2.2e-4], 40 + 10 * Math.log(1.25)),
  ];
  return { name, width: 64, height: 48, fps: 10, frameCount: 10, seconds: 1, sourceCaptions: ['a test'], measurements, bdRates: bdTable(measurements, 'x265'), notes: [], elapsedSeconds: 1 };
}

describe('analysis and report', () => {
  const clips = [clip('a.mkv'), clip('b.mkv')];
  const averaged = averageMeasurements(clips);
  const report: EvalReport = {
    generatedAt: '2026-01-01T00:00:00.000Z',
    settings: { mediaDir: '/media', seconds: 1, clips: ['a.mkv', 'b.mkv'], anchor: 'x265', encoders: ['x264', 'x265'], keyframeCounts: [2], qualities: ['low'], motionQualities: ['low'], vmaf: 'skipped', msssimFrames: 2, semanticFrames: 1, tt2v: 'off' },
    clips,
    averaged,
    averagedBd: bdTable(averaged, 'x265'),
    aggregateBd: aggregateBd(clips),
    rateRanges: rateRanges(clips),
    sideChannel: sideChannelSummary(clips, averaged),
    notes: ['VMAF skipped: test.'],
    stageSeconds: { restore: 1 },
    elapsedSeconds: 3,
  };

  it('computes BD-rates per metric and says where curves do not overlap', () => {
    const psnr = clips[0]!.bdRates.psnrY!;
    expect(psnr.x264?.status === 'ok' && psnr.x264.percent).toBeCloseTo(50, 6);
    expect(psnr['cmvc-it2v']?.status).toBe('no-overlap');
    expect(clips[0]!.bdRates.vmaf).toBeUndefined();
    expect(report.aggregateBd.psnrY?.x264?.meanPercent).toBeCloseTo(50, 6);
    expect(report.aggregateBd.psnrY?.['cmvc-it2v']).toMatchObject({ meanPercent: null, clipsWithoutOverlap: 2 });
    expect(report.rateRanges['cmvc-it2v']).toMatchObject({ minBpp: 1e-4, maxBpp: 2e-4 });
  });

  it('compares IT2V with and without the motion side channel setting by setting and by BD-rate', () => {
    const summary = report.sideChannel!;
    expect(summary.points.map((p) => [p.label, p.without.bpp, p.with.bpp])).toEqual([
      ['p0', 1e-4, 1.1e-4],
      ['p1', 2e-4, 2.2e-4],
    ]);
    for (const psnr of [summary.bdSameSettings.psnrY!, summary.bdAllSettings.psnrY!]) {
      expect(psnr.perClip.clipsWithValue).toBe(2);
      expect(psnr.perClip.meanPercent).toBeCloseTo(-20, 6);
      expect(psnr.averaged?.status === 'ok' && psnr.averaged.percent).toBeCloseTo(-20, 6);
    }
    expect(sideChannelSummary([{ ...clips[0]!, measurements: clips[0]!.measurements.filter((m) => m.method !== 'cmvc-it2v-motion') }], averaged)).toBeNull();
    const markdown = renderMarkdown(report, 'npm run eval');
    expect(markdown).toContain('## Motion side channel');
    expect(markdown).toMatch(/\| PSNR-Y \(dB\) \| -20\.0 % \| 2\/2 \| -20\.0 % \| -20\.0 % \| 2\/2 \| -20\.0 % \|/);
    expect(markdown).toContain('| p0 | 0.01 | 0.01 |');
  });

  it('sweeps the side channel only for the chosen qualities, next to the same settings without it', () => {
    const points = cmvcOperatingPoints([2, 3], ['low', 'middle'], ['middle']);
    expect(points.map((p) => `${operatingPointLabel(p)} ${p.withMotionSideChannel}`)).toEqual(['n2 low false', 'n2 middle true', 'n3 low false', 'n3 middle true']);
    expect(() => cmvcOperatingPoints([2], ['low'], ['high'])).toThrow(/must also be evaluated without it/);
  });

  it('renders a markdown report with BD-rate tables and rate ranges', () => {
    const markdown = renderMarkdown(report, 'npm run eval');
    expect(markdown).toContain('| x264 (H.264) | +50.0 % | 2/2 | 0 |');
    expect(markdown).toContain('| CMVC IT2V | n/a | 0/2 | 2 |');
    expect(markdown).toContain('no overlap');
    expect(markdown).toContain('| CMVC IT2V | 1.00e-4 | 2.00e-4 |');
    expect(markdown).toContain('VMAF skipped: test.');
  });

  it('draws one line per method on a log-rate axis, as SVG and PNG', async () => {
    const svg = rdChartSvg('test', averaged, ['psnrY', 'vmaf']);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
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
