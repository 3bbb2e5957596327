/** @cmvc/eval: rate–distortion evaluation of CMVC against conventional codecs. */
export { EvalError, type EvalErrorCode } from './errors.ts';
export * from './types.ts';
export { probeVideo, fpsValue, type VideoInfo } from './media/probe.ts';
export { prepareReference, restoreToReference, sampleIndices } from './media/prepare.ts';
export { checkRawVideo, frameBytes, inputArgs, readLuma, readRgb, type RawVideo } from './media/raw.ts';
export { StageTimer } from './timing.ts';
export * from './metrics/index.ts';
export { BASELINE_ENCODERS, REDUCTIONS, baselineVariants, encodeBaseline, scaledSize, variantLabel, withSweep, type BaselineEncoder, type BaselineEncoderId, type BaselineVariant } from './baselines/encoders.ts';
export * from './cmvc/operating-points.ts';
export * from './bdrate/index.ts';
export { aggregateBd, averageMeasurements, bdTable, bdTables, compareAtSameRate, frontierAtRate, metricValue, rateRanges, rdPoints, sideChannelSummary } from './report/analysis.ts';
export { renderMarkdown } from './report/markdown.ts';
export { writeReport, type WriteTargets } from './report/write.ts';
export * from './plots/index.ts';
export { TT2V_POINT, evaluatedEncoders, listClips, runEvaluation, type EvalOptions } from './runner.ts';
export { DEFAULTS, evalCommand, parseEvalArgs, type EvalCliCommand, type EvalCliIo } from './cli.ts';
