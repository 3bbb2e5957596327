#!/usr/bin/env -S node --import tsx
/**
 * Re-renders docs/RESULTS.md and the plots from the JSON an earlier `npm run eval` wrote (after a
 * change to the report's wording or plots; the measurements are not repeated):
 * `node --import tsx packages/eval/bin/rerender.ts [RESULTS_DIR] [MARKDOWN] [COMMAND] [NOTE...]` (each NOTE is
 * added to the report's notes).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULTS } from '../src/cli.ts';
import { plotName } from '../src/report/markdown.ts';
import { writeReport } from '../src/report/write.ts';
import type { ClipReport, EvalReport } from '../src/types.ts';

const resultsDir = resolve(process.argv[2] ?? DEFAULTS.resultsDir);
const markdownPath = resolve(process.argv[3] ?? DEFAULTS.markdownPath);
const command = process.argv[4] ?? 'npm run eval';
/** The writer stores non-finite numbers as strings. */
const revive = (_: string, value: unknown): unknown => (value === 'Infinity' ? Number.POSITIVE_INFINITY : value === '-Infinity' ? Number.NEGATIVE_INFINITY : value === 'NaN' ? Number.NaN : value);
const aggregate = JSON.parse(await readFile(join(resultsDir, 'aggregate.json'), 'utf8'), revive) as Omit<EvalReport, 'clips'> & { clips: string[] };
const clips = await Promise.all(aggregate.clips.map(async (name) => JSON.parse(await readFile(join(resultsDir, `${plotName(name)}.json`), 'utf8'), revive) as ClipReport));
const extraNotes = process.argv.slice(5).filter((note) => !aggregate.notes.includes(note));
const written = await writeReport({ ...aggregate, notes: [...aggregate.notes, ...extraNotes], clips }, { markdownPath, resultsDir, command });
process.stdout.write(`re-rendered ${written.length} files\n`);
