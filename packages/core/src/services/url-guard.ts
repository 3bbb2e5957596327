import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DomainError } from '../errors.ts';
import type { FetchTarget } from '../ports.ts';

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

// Local-use NAT64 (RFC 8215) translates to whatever the operator's network routes: refuse it.
privateRanges.addSubnet('64:ff9b:1::', 48, 'ipv6');

/**
 * IPv6 forms that carry an IPv4 address a gateway or the host may reach: NAT64 (64:ff9b::/96),
 * 6to4 (2002::/16, the IPv4 in bits 16–47) and the deprecated IPv4-compatible form (::/96).
 */
function embeddedIpv4(address: string): string | null {
  const words = ipv6Words(address);
  if (!words) return null;
  const ipv4 = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  const zeros = (from: number, to: number) => words.slice(from, to).every((word) => word === 0);
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return ipv4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return ipv4(words[1]!, words[2]!);
  if (zeros(0, 6) && (words[6] !== 0 || words[7]! > 1)) return ipv4(words[6]!, words[7]!);
  return null;
}

/** The eight 16-bit words of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function ipv6Words(address: string): number[] | null {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const part = (chunk: string | undefined) => (chunk ? chunk.split(':').map((word) => parseInt(word, 16)) : []);
  const start = part(head);
  const end = part(tail);
  const words = tail === undefined ? start : [...start, ...new Array<number>(8 - start.length - end.length).fill(0), ...end];
  return words.length === 8 && words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff) ? words : null;
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const ipv4 = embeddedIpv4(address);
    if (ipv4 && privateRanges.check(ipv4, 'ipv4')) return true;
  }
  return privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Resolves a host name to all of its addresses (the system resolver unless a test gives another). */
export type HostLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemLookup: HostLookup = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Checks a URL before fetching it: http(s) only, no credentials, and every address the host
 * resolves to must be public unless private addresses are allowed. Gives the URL with the addresses
 * the connection must use.
 */
export async function resolveFetchTarget(raw: string, allowPrivate: boolean, lookupHost: HostLookup = systemLookup): Promise<FetchTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError('INVALID_INPUT', `Not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError('URL_NOT_ALLOWED', `Only http and https URLs can be ingested, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new DomainError('URL_NOT_ALLOWED', 'URLs with credentials are not accepted');
  if (allowPrivate) return { url, addresses: null };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addresses = family !== 0 ? [{ address: host, family }] : await lookupHost(host).catch(() => []);
  if (addresses.length === 0) throw new DomainError('FETCH_FAILED', `Cannot resolve host ${url.hostname}`);
  const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
  if (blocked) {
    throw new DomainError('URL_NOT_ALLOWED', `${url.hostname} resolves to a private or loopback address (${blocked.address})`);
  }
  return { url, addresses };
}
