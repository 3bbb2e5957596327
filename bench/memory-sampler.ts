/**
 * The peak resident memory of a process and all its descendants, sampled from /proc every 200 ms
 * by a process of its own: scanning /proc on the measured process's thread cost that thread 2–3
 * CPU-s of a 20 s encode, which the worker never spends.
 *
 * `startMemorySampler(root)` runs this file as that process (`node --import tsx
 * bench/memory-sampler.ts ROOT_PID`) and talks to it over its stdin and stdout.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface TreeMemory {
  /** Resident bytes of the root process. */
  readonly own: number;
  /** Resident bytes of its descendants (ffmpeg decoders and encoders, PocketSphinx). */
  readonly children: number;
  /** Resident bytes per kind of descendant ("ffmpeg (layer encoder)", "pocketsphinx_continuous", …). */
  readonly byChild: Readonly<Record<string, number>>;
  /** When it was sampled (Date.now()). */
  readonly atMs: number;
}

export interface PeakMemory {
  /** Peaks of the sum and of each part (not necessarily at the same moment). */
  readonly total: number;
  readonly own: number;
  readonly children: number;
  /** The sample with the largest sum: who held what then. */
  readonly atPeak: TreeMemory | undefined;
}

const INTERVAL_MS = 200;
const PAGE_BYTES = 4096;

/** Descendants named so far, by pid: one that exits during a scan keeps the name it had. */
const childKinds = new Map<number, string>();

/**
 * What a descendant is, or undefined while it is a fork that has not yet started its program: its
 * command line is still the root's (or, mid-exec, empty), and its resident pages are the root's,
 * shared copy-on-write, so counting them would count the root twice (400+ MiB for a moment).
 */
function childKind(pid: number, rootCommand: string): string | undefined {
  const known = childKinds.get(pid);
  if (known) return known;
  let command: string;
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'exited before it was named';
  }
  if (command === '' || command === rootCommand) return undefined;
  const kind = kindOf(command.split('\0'));
  childKinds.set(pid, kind);
  return kind;
}

/** What a descendant is, from its command line: ffmpeg is named by its job. */
function kindOf(args: readonly string[]): string {
  const program = args[0]?.split('/').pop() || '?';
  if (program !== 'ffmpeg') return program;
  if (args.includes('libsvtav1') || args.includes('libaom-av1')) return 'ffmpeg (layer encoder)';
  if (args.includes('libdav1d')) return 'ffmpeg (layer decoder)';
  if (args.includes('rawvideo')) return 'ffmpeg (source decoder)';
  return 'ffmpeg (sound)';
}

/** Resident memory of `root` and of all its descendants but `excluded`, from /proc. */
function treeMemory(root: number, rootCommand: string, excluded: number): TreeMemory {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), pid]);
      rss.set(pid, Number(fields[21]) * PAGE_BYTES);
    } catch {
      // The process ended while we looked.
    }
  }
  let descendants = 0;
  const byChild: Record<string, number> = {};
  const pending = [...(children.get(root) ?? [])].filter((pid) => pid !== excluded);
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const kind = childKind(pid, rootCommand);
    if (kind === undefined) continue;
    const bytes = rss.get(pid) ?? 0;
    descendants += bytes;
    byChild[kind] = (byChild[kind] ?? 0) + bytes;
    pending.push(...(children.get(pid) ?? []));
  }
  return { own: rss.get(root) ?? 0, children: descendants, byChild, atMs: Date.now() };
}

const emptyPeak = (): { total: number; own: number; children: number; atPeak: TreeMemory | undefined } => ({ total: 0, own: 0, children: 0, atPeak: undefined });

/**
 * Samples `root`'s tree every INTERVAL_MS. Commands arrive as lines on stdin: `reset` forgets the
 * peaks so far; `peak` samples once more and prints the peaks since the last reset as a JSON line.
 * It ends when stdin closes.
 */
function serve(root: number): void {
  const rootCommand = readFileSync(`/proc/${root}/cmdline`, 'utf8');
  let peak = emptyPeak();
  const sample = (): void => {
    const memory = treeMemory(root, rootCommand, process.pid);
    if (memory.own + memory.children > peak.total) peak.atPeak = memory;
    peak.total = Math.max(peak.total, memory.own + memory.children);
    peak.own = Math.max(peak.own, memory.own);
    peak.children = Math.max(peak.children, memory.children);
  };
  const timer = setInterval(sample, INTERVAL_MS);
  createInterface({ input: process.stdin }).on('line', (command) => {
    if (command === 'reset') peak = emptyPeak();
    if (command === 'peak') {
      sample();
      process.stdout.write(`${JSON.stringify(peak)}\n`);
    }
  }).once('close', () => clearInterval(timer));
}

export interface MemorySampler {
  /** Forgets the peaks so far: the next `peak` covers what follows. */
  reset(): void;
  /** The peaks since the last reset. */
  peak(): Promise<PeakMemory>;
  close(): Promise<void>;
}

/** Samples `root` (and its descendants) from a process of its own, which is not counted. */
export async function startMemorySampler(root: number): Promise<MemorySampler> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(root)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const peak = async (): Promise<PeakMemory> => {
    child.stdin.write('peak\n');
    const reply = await replies.next();
    if (reply.done) throw new Error(`memory sampler exited with ${await exited}`);
    return JSON.parse(reply.value) as PeakMemory;
  };
  // Answers once it has loaded, so a measurement never starts before the sampler runs.
  await peak();
  return {
    reset: () => child.stdin.write('reset\n'),
    peak,
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = Number(process.argv[2]);
  if (!Number.isInteger(root) || root <= 0) {
    process.stderr.write('usage: memory-sampler.ts ROOT_PID\n');
    process.exit(64);
  }
  serve(root);
}
