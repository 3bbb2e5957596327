import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sniffContainer, type ContainerSniff, type MediaIo, type VideoHeader } from '@cmvc/media-io';

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

/** What a path holds: a regular file (and its size) or something else. */
export interface LocalFileInfo {
  readonly isFile: boolean;
  readonly size: number;
}

/**
 * The local files ingest reads and writes: server paths under the ingest roots, and its own
 * copies of uploads and downloads in scratch folders.
 */
export interface LocalFiles {
  /** The path with `..` and symbolic links resolved; null when nothing is there. */
  realpath(path: string): Promise<string | null>;
  stat(path: string): Promise<LocalFileInfo>;
  /** The whole file (ingest reads small files whole). */
  readFile(path: string): Promise<Buffer>;
  /** The file as a stream (ingest hashes large files this way). */
  openRead(path: string): Readable;
  /** Writes what `content` yields to a new file at `path`; rejects with the first error `content` throws. */
  writeFile(path: string, content: AsyncIterable<Uint8Array>): Promise<void>;
  /** `@cmvc/media-io`'s container check of the file, or of `content` (the whole file, already read). */
  sniffContainer(path: string, content?: Uint8Array): Promise<ContainerSniff>;
}

/** The machine's file system. */
export const systemFiles: LocalFiles = {
  realpath: (path) => realpath(path).catch(() => null),
  stat: async (path) => {
    const info = await stat(path);
    return { isFile: info.isFile(), size: info.size };
  },
  readFile: (path) => readFile(path),
  openRead: (path) => createReadStream(path, { highWaterMark: 1024 * 1024 }),
  writeFile: (path, content) => pipeline(content, createWriteStream(path)),
  sniffContainer,
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

/** The ffmpeg/ffprobe runs a service makes itself (the encode and render jobs go through the codec's media ports). */
export interface MediaTool {
  /** `@cmvc/media-io`'s `probeVideoHeader`: the first video stream's header, one packet demuxed, nothing decoded. */
  probeVideoHeader(path: string, signal: AbortSignal): Promise<VideoHeader | undefined>;
}

/** The ffprobe of the composition root's `mediaIo`. */
export function mediaTool(mediaIo: MediaIo): MediaTool {
  return { probeVideoHeader: (path, signal) => mediaIo.probeVideoHeader(path, { signal }) };
}
