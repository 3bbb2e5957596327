/** SourceResolver's URL ingest through its Fetcher and Scratch ports: every hop checked, temporary folders always removed. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BlobStore } from '@cmvc/blob';
import { systemScratch, type Fetcher, type FetchResponse, type FetchTarget, type Scratch } from '../src/ports.ts';
import { SourceResolver } from '../src/services/source-resolver.ts';
import type { HostLookup } from '../src/services/url-guard.ts';
import { rejectionCode } from '../../../test/support/domain-errors.ts';

/** Public names resolve to a documentation address, `*.internal` to a private one. */
const lookupHost: HostLookup = async (hostname) => [{ address: hostname.endsWith('.internal') ? '10.0.0.7' : '192.0.2.10', family: 4 }];

/** Answers by URL from a table, recording each target it was asked for. */
function tableFetcher(answers: Record<string, { status: number; location?: string; body?: string; contentLength?: number }>) {
  const asked: FetchTarget[] = [];
  const fetcher: Fetcher = {
    async get(target): Promise<FetchResponse> {
      asked.push(target);
      const answer = answers[target.url.href];
      if (!answer) throw new Error('connect ECONNREFUSED');
      const body = answer.body ?? '';
      return { status: answer.status, location: answer.location ?? null, contentLength: answer.contentLength ?? body.length, body: Readable.from([Buffer.from(body)]) };
    },
  };
  return { fetcher, asked };
}

/** Real temporary folders, with a record of which were made and which removed. */
function recordingScratch() {
  const made: string[] = [];
  const removed: string[] = [];
  const scratch: Scratch = {
    async folder(prefix) {
      const folder = await systemScratch.folder(prefix);
      made.push(folder.path);
      return { path: folder.path, remove: async () => void (removed.push(folder.path), await folder.remove()) };
    },
  };
  return { scratch, made, removed };
}

function resolver(fetcher: Fetcher, scratch: Scratch, maxBytes = 1 << 20) {
  return new SourceResolver({ roots: [], allowPrivateUrls: false, maxBytes, blobs: {} as BlobStore, lookupHost, fetcher, scratch });
}


describe('URL ingest through the Fetcher and Scratch ports', () => {
  it('follows a redirect to a checked address, pinning each hop, and keeps the body in its scratch folder', async () => {
    const { fetcher, asked } = tableFetcher({
      'https://videos.example/moved': { status: 301, location: '/clip.mp4' },
      'https://videos.example/clip.mp4': { status: 200, body: 'not really a video' },
    });
    const { scratch, made, removed } = recordingScratch();
    const source = await resolver(fetcher, scratch).resolve({ url: 'https://videos.example/moved' });
    expect(asked.map((target) => [target.url.href, target.addresses])).toEqual([
      ['https://videos.example/moved', [{ address: '192.0.2.10', family: 4 }]],
      ['https://videos.example/clip.mp4', [{ address: '192.0.2.10', family: 4 }]],
    ]);
    expect(source).toMatchObject({ owned: true, bytes: 18, defaultTitle: 'clip' });
    expect(source.localPath.startsWith(made[0]!)).toBe(true);
    await source.release();
    expect(removed).toEqual(made);
  });

  it('refuses a redirect to a private address before fetching it, and removes the folder', async () => {
    const { fetcher, asked } = tableFetcher({ 'https://videos.example/moved': { status: 302, location: 'http://admin.internal/secrets' } });
    const { scratch, made, removed } = recordingScratch();
    expect(await rejectionCode(resolver(fetcher, scratch).resolve({ url: 'https://videos.example/moved' }))).toBe('URL_NOT_ALLOWED');
    expect(asked).toHaveLength(1);
    expect(removed).toEqual(made);
  });

  it('answers FETCH_FAILED for an error status, a refused connection and too many redirects; TOO_LARGE for a large declared body', async () => {
    const loop = Object.fromEntries(Array.from({ length: 10 }, (_, hop) => [`https://videos.example/${hop}`, { status: 302, location: `/${hop + 1}` }]));
    const { fetcher } = tableFetcher({
      ...loop,
      'https://videos.example/gone.mp4': { status: 404 },
      'https://videos.example/huge.mp4': { status: 200, contentLength: 1 << 30 },
    });
    const { scratch, made, removed } = recordingScratch();
    const sources = resolver(fetcher, scratch);
    expect(await rejectionCode(sources.resolve({ url: 'https://videos.example/gone.mp4' }))).toBe('FETCH_FAILED');
    expect(await rejectionCode(sources.resolve({ url: 'https://videos.example/nowhere.mp4' }))).toBe('FETCH_FAILED');
    expect(await rejectionCode(sources.resolve({ url: 'https://videos.example/0' }))).toBe('FETCH_FAILED');
    expect(await rejectionCode(sources.resolve({ url: 'https://videos.example/huge.mp4' }))).toBe('TOO_LARGE');
    expect(made).toHaveLength(4);
    expect(removed).toEqual(made);
  });
});
