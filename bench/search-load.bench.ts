/**
 * Search under load (issue 14): many concurrent `search` requests through the real API, once with
 * the worker idle and once while it encodes clips, against private PostgreSQL and Redis. Reports
 * errors and latency percentiles per phase.
 *
 *   node --import tsx bench/search-load.bench.ts [--searches 100] [--clips 3] [--clip-seconds 4]
 *     [--worker-concurrency 3]
 */
import { join } from 'node:path';
import { makeClip } from '../test/support/media.ts';
import type { Stack } from '../test/support/stack.ts';
import { withBenchStack } from './bench-stack.ts';
import { BenchError, elapsedMs, formatMs, integerFlag, log, machineTable, markdownTable, runBench, summarize } from './lib.ts';
import { recordHeadlines } from './headlines.ts';

const WORDS = ['test pattern', 'colour bars', 'moving circle', 'a clock', 'gradient', 'a person walking', 'text on screen'];

interface Phase {
  readonly name: string;
  readonly errors: number;
  readonly latencies: number[];
  /** What the first failed request answered, so a run full of errors says why. */
  readonly firstError: string | null;
}

async function burst(stack: Stack, name: string, count: number): Promise<Phase> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const started = performance.now();
      const response = await fetch(`${stack.apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query($q: String!) { search(query: $q, first: 10) { edges { node { similarity caption { text } video { title } } } } }',
          variables: { q: `${WORDS[index % WORDS.length]} ${index}` },
        }),
      }).catch(() => null);
      const payload = response ? ((await response.json().catch(() => null)) as { errors?: unknown[] } | null) : null;
      latencies.push(elapsedMs(started));
      if (!response || response.status !== 200 || !payload || payload.errors) {
        errors += 1;
        firstError ??= response ? `HTTP ${response.status}: ${JSON.stringify(payload?.errors ?? payload).slice(0, 300)}` : 'no response';
      }
    }),
  );
  return { name, errors, latencies, firstError };
}

async function main(): Promise<void> {
  const searches = integerFlag('searches', 100, 1, 10_000);
  const clips = integerFlag('clips', 3, 1, 50);
  const clipSeconds = integerFlag('clip-seconds', 4, 1, 120);
  const workerConcurrency = integerFlag('worker-concurrency', 3, 1, 64);

  await withBenchStack('search-load', async ({ stack, info }) => {
    log(`making ${clips} clips of ${clipSeconds} s`);
    const paths = await Promise.all(
      Array.from({ length: clips }, async (_, index) => {
        const path = join(stack.ingestRoot, `load-${index}.mp4`);
        await makeClip(path, { source: `testsrc2=size=${320 + 16 * index}x240:rate=24`, seconds: clipSeconds });
        return path;
      }),
    );
    // Warm the API as a running server would be: the query embedder loaded, and each pooled
    // connection past the five searches after which PostgreSQL reuses the search statement's plan.
    for (let round = 0; round < 6; round += 1) await burst(stack, 'warm-up', 10);
    const phases: Phase[] = [];
    log(`${searches} concurrent searches, worker idle`);
    phases.push(await burst(stack, 'worker idle', searches));

    await stack.graphql('mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { created } }', { inputs: paths.map((path) => ({ path })) });
    stack.startWorker({ WORKER_CONCURRENCY: String(workerConcurrency) });
    const deadline = Date.now() + 300_000;
    for (;;) {
      const state = await stack.graphql<{ videos: { edges: { node: { status: string } }[] } }>('{ videos(first: 100) { edges { node { status } } } }');
      const encoding = state.data?.videos.edges.filter((edge) => edge.node.status === 'ENCODING').length ?? 0;
      if (encoding >= Math.min(clips, workerConcurrency)) break;
      if (Date.now() > deadline) throw new BenchError('BENCH_FAILED', 'the clips did not start encoding');
      await new Promise((done) => setTimeout(done, 250));
    }
    log(`${searches} concurrent searches while ${clips} clips encode`);
    phases.push(await burst(stack, `${clips} clips encoding`, searches));

    const rows = phases.map((phase) => {
      const summary = summarize(phase.latencies);
      return [phase.name, String(phase.latencies.length), String(phase.errors), formatMs(summary.p50), formatMs(summary.p95), formatMs(summary.max)];
    });
    console.log(machineTable(info));
    console.log(`\n${markdownTable(['phase', 'searches', 'errors', 'p50', 'p95', 'max'], rows)}`);
    for (const phase of phases) if (phase.firstError) console.log(`first error (${phase.name}): ${phase.firstError}`);
    const loaded = phases.at(-1)!;
    recordHeadlines([
      { bench: 'search-load', metric: `errors, ${searches} concurrent searches while ${clips} clips encode`, value: loaded.errors, unit: '', target: '0' },
      { bench: 'search-load', metric: `p95, ${searches} concurrent searches while ${clips} clips encode`, value: summarize(loaded.latencies).p95, unit: 'ms', target: '≤ 1000' },
      { bench: 'search-load', metric: `p95, ${searches} concurrent searches, worker idle`, value: summarize(phases[0]!.latencies).p95, unit: 'ms' },
    ]);
  });
}

runBench(main);
