#!/usr/bin/env -S node --import tsx
/**
 * Merges the JSON of several `npm run eval` runs over disjoint clips (e.g. a second run over the clips
 * the first one's time budget left out) into one report: per-clip results are kept as measured, the
 * averages, BD-rate aggregates and comparison tables are recomputed over all clips, stage times and
 * run times are summed. `node --import tsx packages/eval/bin/merge-results.ts OUT_RESULTS_DIR OUT_MARKDOWN
 * COMMAND RESULTS_DIR... [--note TEXT]...`.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { aggregateBd, averageMeasurements, bdTables, compareAtSameRate, rateRanges, sideChannelSummary } from '../src/report/analysis.ts';
import { plotName } from '../src/report/markdown.ts';
import { writeReport } from '../src/report/write.ts';
import type { ClipReport, EvalReport } from '../src/types.ts';

const args = process.argv.slice(2);
const notes: string[] = [];
const positionals: string[] = [];
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--note') notes.push(args[++i]!);
  else positionals.push(args[i]!);
}
const [outDir, markdownPath, command, ...inputs] = positionals;
if (!outDir || !markdownPath || !command || inputs.length === 0) throw new Error('usage: merge-results.ts OUT_RESULTS_DIR OUT_MARKDOWN COMMAND RESULTS_DIR... [--note TEXT]...');
const revive = (_: string, value: unknown): unknown => (value === 'Infinity' ? Number.POSITIVE_INFINITY : value === '-Infinity' ? Number.NEGATIVE_INFINITY : value === 'NaN' ? Number.NaN : value);

const runs = await Promise.all(
  inputs.map(async (dir) => {
    const aggregate = JSON.parse(await readFile(join(resolve(dir), 'aggregate.json'), 'utf8'), revive) as Omit<EvalReport, 'clips'> & { clips: string[] };
    const clips = await Promise.all(aggregate.clips.map(async (name) => JSON.parse(await readFile(join(resolve(dir), `${plotName(name)}.json`), 'utf8'), revive) as ClipReport));
    return { aggregate, clips };
  }),
);
const first = runs[0]!.aggregate;
const clips = runs.flatMap((run) => run.clips).sort((a, b) => a.name.localeCompare(b.name));
if (new Set(clips.map((c) => c.name)).size !== clips.length) throw new Error('the runs overlap in clips');
const anchors = first.settings.anchors;
const averaged = averageMeasurements(clips);
const stageSeconds: Record<string, number> = {};
for (const run of runs) for (const [stage, s] of Object.entries(run.aggregate.stageSeconds)) stageSeconds[stage] = Math.round(((stageSeconds[stage] ?? 0) + s) * 10) / 10;
const merged: EvalReport = {
  ...first,
  generatedAt: runs.map((run) => run.aggregate.generatedAt).sort().at(-1)!,
  settings: { ...first.settings, clips: clips.map((c) => c.name), vmaf: runs.map((run) => run.aggregate.settings.vmaf).join(' | ') },
  clips,
  averaged,
  averagedBd: bdTables(averaged, anchors),
  aggregateBd: aggregateBd(clips, anchors),
  defaultSetting: compareAtSameRate(clips, 'middle', anchors),
  floorPoints: compareAtSameRate(clips, 'floor', anchors),
  rateRanges: rateRanges(clips),
  sideChannel: sideChannelSummary(clips, averaged),
  notes: [...runs.flatMap((run) => run.aggregate.notes.filter((note) => !note.startsWith('Not evaluated, to keep the run'))), ...notes],
  stageSeconds: Object.fromEntries(Object.entries(stageSeconds).sort((a, b) => b[1] - a[1])),
  elapsedSeconds: runs.reduce((sum, run) => sum + run.aggregate.elapsedSeconds, 0),
};
const written = await writeReport(merged, { markdownPath: resolve(markdownPath), resultsDir: resolve(outDir), command });
process.stdout.write(`merged ${runs.length} runs, ${clips.length} clips; wrote ${written.length} files\n`);
