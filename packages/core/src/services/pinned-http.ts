import type { LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Fetcher, FetchTarget } from '../ports.ts';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * One GET of a checked URL over a fresh connection to one of the target's checked addresses
 * (never a second DNS answer); TLS still verifies the certificate against the URL's host name.
 * No redirects are followed and no content encoding is asked for.
 */
export function getPinned(target: FetchTarget, signal: AbortSignal): Promise<IncomingMessage> {
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      target.url,
      {
        method: 'GET',
        signal,
        agent: false,
        headers: { accept: '*/*', 'user-agent': 'cmvc-archive' },
        ...(target.addresses ? { lookup: pinnedLookup(target.addresses) } : {}),
      },
      resolve,
    );
    request.once('error', reject);
    request.end();
  });
}

/** The Fetcher the API uses: `getPinned`, its answer read into the port's shape. */
export const pinnedFetcher: Fetcher = {
  async get(target, signal) {
    const response = await getPinned(target, signal);
    const length = response.headers['content-length'];
    return { status: response.statusCode ?? 0, location: response.headers.location ?? null, contentLength: length === undefined ? null : Number(length), body: response };
  },
};

function pinnedLookup(addresses: NonNullable<FetchTarget['addresses']>) {
  return (_hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = family ? addresses.filter((entry) => entry.family === family) : [...addresses];
    if (usable.length === 0) {
      callback(Object.assign(new Error(`no checked address of family ${family}`), { code: 'ENOTFOUND' }), '');
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, usable[0]!.address, usable[0]!.family);
    }
  };
}
