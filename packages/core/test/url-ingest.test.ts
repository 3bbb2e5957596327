/**
 * URL ingest resolves each host once, checks the addresses, and connects to a checked address:
 * a DNS server that answers a public address for the check and a private one afterwards
 * (DNS rebinding) cannot steer the fetch to the private address.
 */
import { createHash } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '@cmvc/blob';
import { DomainError, type IngestErrorCode } from '../src/errors.ts';
import { getPinned } from '../src/services/pinned-http.ts';
import { SourceResolver } from '../src/services/source-resolver.ts';
import { isPrivateAddress, resolveFetchTarget, type HostLookup } from '../src/services/url-guard.ts';

const PAYLOAD = Buffer.from('pretend this is a video\n'.repeat(100));
let server: Server;
let port: number;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(`${request.headers.host} ${request.url}`);
    if (request.url === '/moved') {
      response.writeHead(302, { location: '/clip.mp4' }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': PAYLOAD.length }).end(PAYLOAD);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
});

/** A DNS server whose answers change from one query to the next, counting the queries. */
function rebindingLookup(...answers: string[][]): HostLookup & { queries: number } {
  const lookup = async (): Promise<LookupAddress[]> => {
    const answer = answers[Math.min(lookup.queries, answers.length - 1)]!;
    lookup.queries += 1;
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  lookup.queries = 0;
  return lookup;
}

const noBlobs = {} as BlobStore;

async function ingestError(promise: Promise<unknown>): Promise<DomainError<IngestErrorCode>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError<IngestErrorCode>;
  }
  throw new Error('expected a DomainError');
}

describe('isPrivateAddress', () => {
  it('blocks loopback, private and link-local addresses, also written as IPv4-mapped IPv6, and nothing public', () => {
    for (const address of ['127.0.0.1', '10.2.3.4', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:a00:1', 'not an address']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:2800:220:1::1', '::ffff:93.184.216.34']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('sees the IPv4 address inside NAT64, 6to4 and IPv4-compatible IPv6 addresses', () => {
    for (const address of ['64:ff9b::127.0.0.1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::1', '2002:7f00:1::1', '2002:c0a8:101::', '::127.0.0.1', '::10.0.0.1', '::a9fe:a9fe']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['64:ff9b::8.8.8.8', '2002:808:808::1', '::8.8.8.8']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});

describe('resolveFetchTarget', () => {
  it('returns the checked addresses, and refuses a host with any private address among them', async () => {
    const target = await resolveFetchTarget('https://videos.example/a.mp4', false, rebindingLookup(['93.184.216.34', '2606:2800:220:1::1']));
    expect(target.addresses).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    for (const mixed of [['93.184.216.34', '10.1.2.3'], ['127.0.0.1'], ['::1'], ['169.254.169.254'], ['::ffff:127.0.0.1']]) {
      const error = await ingestError(resolveFetchTarget('http://videos.example/a.mp4', false, rebindingLookup(mixed)));
      expect(error.code, mixed.join(',')).toBe('URL_NOT_ALLOWED');
    }
  });

  it('needs no lookup for an address literal, and pins nothing when private addresses are allowed', async () => {
    const lookup = rebindingLookup(['10.0.0.1']);
    expect((await resolveFetchTarget('http://[2606:2800:220:1::1]/a.mp4', false, lookup)).addresses).toEqual([{ address: '2606:2800:220:1::1', family: 6 }]);
    expect((await resolveFetchTarget('http://internal.example/a.mp4', true, lookup)).addresses).toBeNull();
    expect(lookup.queries).toBe(0);
  });

  it('reports a host that does not resolve', async () => {
    expect((await ingestError(resolveFetchTarget('http://nowhere.example/', false, rebindingLookup([])))).code).toBe('FETCH_FAILED');
  });
});

describe('getPinned', () => {
  it('connects to the given address without resolving the host name, and still sends that name', async () => {
    const host = `cmvc-never-resolves.invalid:${port}`;
    const response = await getPinned({ url: new URL(`http://${host}/clip.mp4`), addresses: [{ address: '127.0.0.1', family: 4 }] }, AbortSignal.timeout(5000));
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    expect(response.statusCode).toBe(200);
    expect(Buffer.concat(chunks).equals(PAYLOAD)).toBe(true);
    expect(requests.at(-1)).toBe(`${host} /clip.mp4`);
  });
});

describe('SourceResolver URL ingest', () => {
  it('connects to the address it checked, not to what a rebinding DNS answers next', async () => {
    const before = requests.length;
    // Public (documentation, unroutable) for the check, then the loopback where our server listens.
    const lookup = rebindingLookup(['2001:db8::7'], ['127.0.0.1']);
    const resolver = new SourceResolver({ roots: [], allowPrivateUrls: false, maxBytes: 1 << 20, blobs: noBlobs, lookupHost: lookup, fetchTimeoutMs: 1500 });
    const error = await ingestError(resolver.resolve({ url: `http://rebinding.example:${port}/clip.mp4` }));
    expect(error.code).toBe('FETCH_FAILED');
    expect(lookup.queries).toBe(1);
    expect(requests.length).toBe(before);
  });

  it('fetches and hashes what a permitted URL serves, following redirects, as a temporary file it owns', async () => {
    const resolver = new SourceResolver({ roots: [], allowPrivateUrls: true, maxBytes: 1 << 20, blobs: noBlobs });
    const source = await resolver.resolve({ url: `http://127.0.0.1:${port}/moved` });
    try {
      expect(source).toMatchObject({ owned: true, bytes: PAYLOAD.length, defaultTitle: 'clip' });
      expect(source.sha256).toBe(createHash('sha256').update(PAYLOAD).digest('hex'));
      expect((await readFile(source.localPath)).equals(PAYLOAD)).toBe(true);
    } finally {
      await source.release();
    }
    await expect(readFile(source.localPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a body larger than the limit', async () => {
    const resolver = new SourceResolver({ roots: [], allowPrivateUrls: true, maxBytes: 100, blobs: noBlobs });
    expect((await ingestError(resolver.resolve({ url: `http://127.0.0.1:${port}/clip.mp4` }))).code).toBe('TOO_LARGE');
  });
});
