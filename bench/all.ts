/**
 * `npm run bench`: runs the codec, IT2V, models, search and ingest benchmarks several times, prints
 * one table of their headline figures (median over the runs, with the range) and the machine, and
 * appends it to docs/BENCHMARKS.md.
 *
 *   node --import tsx bench/all.ts [--runs 3] [--only codec,it2v,models,search,ingest,search-load,playback]
 *     [--search-sizes 100000] [--no-append]
 *
 * Each run's full output is kept in a log folder named at the end, for the detailed tables.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { appendFile, mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError, booleanFlag, flag, formatMs, integerFlag, log, machineInfo, machineTable, markdownTable, median, REPO_ROOT, runBench } from './lib.ts';
import { HEADLINES_ENV, readHeadlines, type Headline } from './headlines.ts';

interface BenchDefinition {
  readonly name: string;
  readonly npmArgs: readonly string[];
}

function benchDefinitions(searchSizes: string): BenchDefinition[] {
  return [
    { name: 'codec', npmArgs: ['run', 'bench:codec'] },
    { name: 'encode', npmArgs: ['run', 'bench:encode'] },
    { name: 'it2v', npmArgs: ['run', 'bench:it2v'] },
    { name: 'models', npmArgs: ['run', 'bench:models'] },
    { name: 'search', npmArgs: ['run', 'bench:search', '--', '--sizes', searchSizes] },
    { name: 'ingest', npmArgs: ['run', 'bench:ingest'] },
    { name: 'search-load', npmArgs: ['run', 'bench:search-load'] },
    { name: 'playback', npmArgs: ['run', 'bench:playback'] },
  ];
}

interface RunOutcome {
  readonly bench: string;
  readonly run: number;
  readonly ok: boolean;
  readonly ms: number;
  readonly logPath: string;
}

function runOnce(definition: BenchDefinition, run: number, logDir: string): Promise<RunOutcome> {
  const logPath = join(logDir, `${definition.name}-${run}.log`);
  const headlinesPath = join(logDir, `${definition.name}-${run}.jsonl`);
  const output = createWriteStream(logPath);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...definition.npmArgs], {
      cwd: REPO_ROOT,
      env: { ...process.env, [HEADLINES_ENV]: headlinesPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(output, { end: false });
    child.stderr.pipe(output, { end: false });
    child.once('error', reject);
    child.once('close', (code) => {
      output.end();
      resolve({ bench: definition.name, run, ok: code === 0, ms: performance.now() - started, logPath });
    });
  });
}

interface HeadlineSummary {
  readonly bench: string;
  readonly metric: string;
  readonly unit: string;
  readonly target: string;
  readonly values: number[];
}

function summarizeHeadlines(headlines: readonly Headline[]): HeadlineSummary[] {
  const byMetric = new Map<string, HeadlineSummary>();
  for (const headline of headlines) {
    const key = `${headline.bench}\u0000${headline.metric}`;
    const summary = byMetric.get(key) ?? { bench: headline.bench, metric: headline.metric, unit: headline.unit, target: headline.target ?? '', values: [] };
    summary.values.push(headline.value);
    byMetric.set(key, summary);
  }
  return [...byMetric.values()];
}

function formatValue(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 0.01) return value.toFixed(2);
  return value.toExponential(2);
}

function headlineTable(summaries: readonly HeadlineSummary[]): string {
  return markdownTable(
    ['benchmark', 'metric', 'median', 'range over runs', 'runs', 'target'],
    summaries.map((summary) => [
      summary.bench,
      summary.metric,
      `${formatValue(median(summary.values))} ${summary.unit}`,
      summary.values.length > 1 ? `${formatValue(Math.min(...summary.values))}–${formatValue(Math.max(...summary.values))}` : '–',
      String(summary.values.length),
      summary.target || '–',
    ]),
  );
}

const loadAverage = (): string => loadavg().map((value) => value.toFixed(2)).join(' / ');

async function main(): Promise<void> {
  const runs = integerFlag('runs', 3, 1, 20);
  const searchSizes = flag('search-sizes') ?? '100000';
  const all = benchDefinitions(searchSizes);
  const only = flag('only')?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !all.some((definition) => definition.name === name)) ?? [];
  if (unknown.length > 0) throw new BenchError('INVALID_FLAG', `--only: unknown benchmark ${unknown.join(', ')}; known: ${all.map((d) => d.name).join(', ')}`);
  const selected = only ? all.filter((definition) => only.includes(definition.name)) : all;

  const logDir = await mkdtemp(join(tmpdir(), 'cmvc-bench-all-'));
  const machine = await machineInfo();
  const loadAtStart = loadAverage();
  const started = performance.now();
  const outcomes: RunOutcome[] = [];
  const headlines: Headline[] = [];
  for (const definition of selected) {
    for (let run = 1; run <= runs; run += 1) {
      log(`${definition.name}: run ${run} of ${runs} (npm ${definition.npmArgs.join(' ')})`);
      const outcome = await runOnce(definition, run, logDir);
      outcomes.push(outcome);
      log(`${definition.name}: run ${run} ${outcome.ok ? 'done' : 'FAILED'} in ${formatMs(outcome.ms)}; output in ${outcome.logPath}`);
      if (outcome.ok) headlines.push(...readHeadlines(join(logDir, `${definition.name}-${run}.jsonl`)));
    }
  }

  const failures = outcomes.filter((outcome) => !outcome.ok);
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const report = [
    `### \`${command}\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    machineTable(machine),
    '',
    `Load average (1/5/15 min) ${loadAtStart} at the start, ${loadAverage()} at the end; ${runs} run(s) of each benchmark, ` +
      `${formatMs(performance.now() - started)} in all. Median over the runs; the range shows how much the runs disagreed.`,
    '',
    headlineTable(summarizeHeadlines(headlines)),
    ...(failures.length > 0 ? ['', `Failed runs (their figures are left out): ${failures.map((f) => `${f.bench} #${f.run}`).join(', ')}.`] : []),
    '',
  ].join('\n');

  process.stdout.write(`${report}\n`);
  if (!booleanFlag('no-append')) {
    await appendFile(join(REPO_ROOT, 'docs/BENCHMARKS.md'), `\n${report}`);
    log('appended to docs/BENCHMARKS.md');
  }
  log(`full output of every run: ${logDir}`);
  if (failures.length > 0) throw new BenchError('BENCH_FAILED', `${failures.length} run(s) failed; see their logs in ${logDir}`);
}

runBench(main);
