import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { IngestError } from './errors.ts';

/** Addresses a URL ingest must not reach unless the operator allows it: loopback, private, link-local, etc. */
const privateRanges = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4');
}
// No rule for IPv4-mapped addresses (::ffff:0:0/96): BlockList checks them against the IPv4
// rules above (and an IPv6 rule covering them would match every IPv4 address).
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Resolves a host name to all of its addresses (the system resolver unless a test gives another). */
export type HostLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemLookup: HostLookup = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** A URL that passed the checks, with the addresses the connection must use. */
export interface FetchTarget {
  readonly url: URL;
  /**
   * The checked addresses of the host, to connect to instead of resolving it again (a rebinding
   * DNS server could otherwise answer a private address the second time). Null when private
   * addresses are allowed, so nothing needs pinning.
   */
  readonly addresses: readonly LookupAddress[] | null;
}

/**
 * Checks a URL before fetching it: http(s) only, no credentials, and every address the host
 * resolves to must be public unless private addresses are allowed.
 */
export async function resolveFetchTarget(raw: string, allowPrivate: boolean, lookupHost: HostLookup = systemLookup): Promise<FetchTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new IngestError('INVALID_INPUT', `Not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new IngestError('URL_NOT_ALLOWED', `Only http and https URLs can be ingested, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new IngestError('URL_NOT_ALLOWED', 'URLs with credentials are not accepted');
  if (allowPrivate) return { url, addresses: null };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addresses = family !== 0 ? [{ address: host, family }] : await lookupHost(host).catch(() => []);
  if (addresses.length === 0) throw new IngestError('FETCH_FAILED', `Cannot resolve host ${url.hostname}`);
  const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
  if (blocked) {
    throw new IngestError('URL_NOT_ALLOWED', `${url.hostname} resolves to a private or loopback address (${blocked.address})`);
  }
  return { url, addresses };
}
