/**
 * Headline figures: each benchmark reports the few numbers that matter, and `npm run bench`
 * (bench/all.ts) collects them across runs into one table. A benchmark run on its own writes
 * nothing extra: headlines go to the JSON-lines file named by CMVC_BENCH_HEADLINES, when set.
 */
import { appendFileSync, readFileSync } from 'node:fs';

export const HEADLINES_ENV = 'CMVC_BENCH_HEADLINES';

export interface Headline {
  /** Short benchmark name, e.g. `codec`, `search`. */
  readonly bench: string;
  /** What was measured, e.g. `encode speed (built-in analyzers)`. */
  readonly metric: string;
  readonly value: number;
  /** Unit as printed after the value, e.g. `ms`, `× real time`, `frames/s`. */
  readonly unit: string;
  /** The target the issue sets, in words, e.g. `≥ 2`. */
  readonly target?: string;
}

export function recordHeadlines(headlines: readonly Headline[]): void {
  const file = process.env[HEADLINES_ENV];
  if (!file) return;
  const finite = headlines.filter((headline) => Number.isFinite(headline.value));
  appendFileSync(file, finite.map((headline) => `${JSON.stringify(headline)}\n`).join(''));
}

export function readHeadlines(file: string): Headline[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Headline);
}
