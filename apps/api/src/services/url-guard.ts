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
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
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

/**
 * Checks a URL before fetching it: http(s) only, no credentials, and every address the host
 * resolves to must be public unless private addresses are allowed. Returns the address to connect to.
 */
export async function assertFetchableUrl(raw: string, allowPrivate: boolean): Promise<URL> {
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
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
  if (addresses.length === 0) throw new IngestError('FETCH_FAILED', `Cannot resolve host ${url.hostname}`);
  const blocked = addresses.find(isPrivateAddress);
  if (blocked) {
    throw new IngestError('URL_NOT_ALLOWED', `${url.hostname} resolves to a private or loopback address (${blocked})`);
  }
  return url;
}
