import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** The time, for services that decide by age; specs pass a fixed one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A private folder for temporary files, and how to delete it with everything in it. */
export interface ScratchFolder {
  readonly path: string;
  remove(): Promise<void>;
}

/** Where services put temporary files (downloads, copies of uploads for tools that need a path). */
export interface Scratch {
  folder(prefix: string): Promise<ScratchFolder>;
}

/** Folders under the system's temporary directory (`os.tmpdir()`). */
export const systemScratch: Scratch = {
  async folder(prefix) {
    const path = await mkdtemp(join(tmpdir(), prefix));
    return { path, remove: () => rm(path, { recursive: true, force: true }) };
  },
};

/** One URL to fetch, and the checked addresses to connect to (null: any address may be used). */
export interface FetchTarget {
  readonly url: URL;
  /**
   * The checked addresses of the host, to connect to instead of resolving it again (a rebinding
   * DNS server could otherwise answer a private address the second time). Null when private
   * addresses are allowed, so nothing needs pinning.
   */
  readonly addresses: readonly { readonly address: string; readonly family: number }[] | null;
}

/** What a GET answered: the status, the two headers ingest reads, and the body, read or dropped by the caller. */
export interface FetchResponse {
  readonly status: number;
  readonly location: string | null;
  readonly contentLength: number | null;
  readonly body: Readable;
}

/** One GET of a checked target, following no redirects (the caller checks each hop). */
export interface Fetcher {
  get(target: FetchTarget, signal: AbortSignal): Promise<FetchResponse>;
}
