/**
 * Progressive playback benchmark against the real API and worker on private PostgreSQL and Redis.
 * One long clip is ingested; then, over HTTP as a player does it:
 *
 *  1. start: request a rendition and fetch its playlist and first segment: the time until the
 *     first segment arrives, next to the time the whole rendition takes (READY) in the same run;
 *  2. seek: request a second rendition (other container, so it renders anew), fetch its first
 *     segment, then a segment near the end: the time from that request to its arrival.
 *
 *   node --import tsx bench/playback.bench.ts [--seconds 60] [--size 320x240] [--rate 24]
 *
 * The figures are ratios to the full render in the same run; the load average is printed with them.
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { recordHeadlines } from './headlines.ts';
import { startStack, waitForVideo, type Stack } from '../test/support/stack.ts';
import { BenchError, flag, formatMs, integerFlag, log, machineInfo, machineTable, markdownTable, onInterrupt, runBench, startPrivateServices } from './lib.ts';

const run = promisify(execFile);

const REQUEST = `mutation($id: ID!, $format: RenditionFormat!) {
  requestRendition(videoId: $id, mode: IT2V, options: { format: $format }) { id status streamUrl }
}`;

function loadAverage(): string {
  return loadavg().map((value) => value.toFixed(2)).join(' / ');
}

async function get(stack: Stack, path: string): Promise<Buffer> {
  const response = await fetch(`${stack.apiUrl}${path}`);
  if (!response.ok) throw new BenchError('BENCH_FAILED', `GET ${path}: ${response.status} ${await response.text()}`);
  return Buffer.from(await response.arrayBuffer());
}

async function requestRendition(stack: Stack, videoId: string, format: 'MP4' | 'WEBM'): Promise<{ id: string; streamUrl: string }> {
  const response = await stack.graphql<{ requestRendition: { id: string; status: string; streamUrl: string | null } }>(REQUEST, { id: videoId, format });
  const rendition = response.data?.requestRendition;
  if (!rendition?.streamUrl || rendition.status !== 'QUEUED') throw new BenchError('BENCH_FAILED', `requestRendition answered ${JSON.stringify(response)}`);
  return { id: rendition.id, streamUrl: rendition.streamUrl };
}

async function waitReady(stack: Stack, videoId: string, renditionId: string): Promise<void> {
  for (;;) {
    stack.assertAlive();
    const response = await stack.graphql<{ video: { renditions: { id: string; status: string; error: string | null }[] } }>(
      'query($id: ID!) { video(id: $id) { renditions { id status error } } }',
      { id: videoId },
    );
    const rendition = response.data?.video.renditions.find((candidate) => candidate.id === renditionId);
    if (rendition?.status === 'READY') return;
    if (rendition?.status === 'FAILED') throw new BenchError('BENCH_FAILED', rendition.error ?? 'rendition failed');
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** The segment URIs of a playlist, relative to the API root. */
function segmentPaths(streamUrl: string, playlist: string): string[] {
  const base = streamUrl.slice(0, streamUrl.lastIndexOf('/') + 1);
  return playlist
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((uri) => `${base}${uri}`);
}

async function main(): Promise<void> {
  const seconds = integerFlag('seconds', 60, 4, 3600);
  const rate = integerFlag('rate', 24, 1, 120);
  const size = flag('size') ?? '320x240';
  if (!/^\d+x\d+$/.test(size)) throw new BenchError('INVALID_FLAG', `--size must be WIDTHxHEIGHT, not ${size}`);

  const services = await startPrivateServices('playback');
  let stack: Stack | null = null;
  try {
    const info = await machineInfo(services.databaseUrl);
    process.env.DATABASE_URL = services.databaseUrl;
    process.env.REDIS_URL = services.redisUrl;
    // Few described keyframes: the encode and its analyzers are only the setup here.
    stack = await startStack({ env: { AUTH: 'off', ENCODE_KEYFRAME_SECONDS: '10' } });
    const running = stack;
    onInterrupt(() => running.stop());
    stack.startWorker();

    const clip = join(stack.ingestRoot, 'long.mp4');
    log(`making a ${seconds} s ${size} clip at ${rate} fps and encoding it`);
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`, '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', clip]);
    const ingested = await stack.graphql<{ ingestVideos: { video: { id: string } | null }[] }>(
      'mutation($inputs: [IngestVideoInput!]!) { ingestVideos(inputs: $inputs) { video { id } } }',
      { inputs: [{ path: clip }] },
    );
    const videoId = ingested.data?.ingestVideos[0]?.video?.id;
    if (!videoId) throw new BenchError('BENCH_FAILED', JSON.stringify(ingested));
    const encoded = await waitForVideo(stack, videoId, 3_600_000);
    if (encoded.status !== 'READY') throw new BenchError('BENCH_FAILED', encoded.error ?? 'encode failed');

    log('1. start: request → first segment, and → READY');
    const loadAtStart = loadAverage();
    let started = performance.now();
    const first = await requestRendition(stack, videoId, 'MP4');
    // As the web player does: the playlist request says where playback starts.
    const playlist = (await get(stack, `${first.streamUrl}?start=0`)).toString();
    const playlistMs = performance.now() - started;
    const segments = segmentPaths(first.streamUrl, playlist);
    await get(stack, segments[0]!);
    const firstSegmentMs = performance.now() - started;
    await waitReady(stack, videoId, first.id);
    const fullMs = performance.now() - started;

    log('2. seek: another rendition, its first segment, then a segment near the end');
    const second = await requestRendition(stack, videoId, 'WEBM');
    const secondSegments = segmentPaths(second.streamUrl, (await get(stack, `${second.streamUrl}?start=0`)).toString());
    await get(stack, secondSegments[0]!);
    const late = Math.floor(secondSegments.length * 0.8);
    started = performance.now();
    await get(stack, secondSegments[late]!);
    const seekMs = performance.now() - started;
    const loadAtEnd = loadAverage();
    await waitReady(stack, videoId, second.id);

    const rows = [
      ['playlist after the request', formatMs(playlistMs), (playlistMs / fullMs).toFixed(3)],
      ['first segment after the request', formatMs(firstSegmentMs), (firstSegmentMs / fullMs).toFixed(3)],
      [`segment ${late} of ${secondSegments.length} after a seek to it`, formatMs(seekMs), (seekMs / fullMs).toFixed(3)],
      ['whole rendition (READY) after the request', formatMs(fullMs), '1.000'],
    ];
    console.log(`\n## Progressive playback (${seconds} s, ${size}, ${rate} fps, IT2V, ${segments.length} segments)\n`);
    console.log(markdownTable(['measure', 'time', '÷ whole render'], rows));
    console.log(`\nLoad average (1 / 5 / 15 min): ${loadAtStart} at the start, ${loadAtEnd} after the seek.\n`);
    console.log(machineTable(info));
    recordHeadlines([
      { bench: 'playback', metric: `first segment after requesting a rendition (${seconds} s clip)`, value: firstSegmentMs, unit: 'ms', target: '≤ 2000' },
      { bench: 'playback', metric: 'late segment after a seek', value: seekMs, unit: 'ms', target: '≤ 2000' },
      { bench: 'playback', metric: 'whole rendition', value: fullMs, unit: 'ms' },
      { bench: 'playback', metric: 'first segment ÷ whole rendition', value: firstSegmentMs / fullMs, unit: '×' },
    ]);
  } finally {
    await stack?.stop();
    await services.stop();
  }
}

runBench(main);
