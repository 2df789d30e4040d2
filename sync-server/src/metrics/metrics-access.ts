import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

/** A METRICS_TOKEN shorter than this is guessable; it guards a route without the admin rate limits' help. */
export const MIN_METRICS_TOKEN_LENGTH = 32;

/** The networks `loopback` stands for in METRICS_ALLOW_FROM. */
const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'];

/** One entry of METRICS_ALLOW_FROM: an address, `address/prefix`, or `loopback`. */
interface Network {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

function parseNetwork(entry: string): Network | undefined {
  const [address = '', prefixText, extra] = entry.split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const maxPrefix = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (prefix > maxPrefix) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Reads METRICS_ALLOW_FROM (comma-separated `loopback`, addresses and CIDR networks) into canonical
 * `address/prefix` strings; every entry that is none of these is reported, one message each.
 */
export function parseMetricsAllowFrom(value: string): { networks: string[]; errors: string[] } {
  const networks: string[] = [];
  const errors: string[] = [];
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (entry.toLowerCase() === 'loopback') {
      networks.push(...LOOPBACK_NETWORKS);
      continue;
    }
    const network = parseNetwork(entry);
    if (network) networks.push(`${network.address}/${network.prefix}`);
    else
      errors.push(
        `setting METRICS_ALLOW_FROM: "${entry.slice(0, 100)}" must be loopback, an IP address or a CIDR network`,
      );
  }
  return { networks, errors };
}

/**
 * Whether a TCP peer address is inside one of `networks` (canonical, from {@link parseMetricsAllowFrom}).
 * IPv4 peers on a dual-stack socket arrive as `::ffff:a.b.c.d` and are matched as IPv4.
 */
export function createAddressMatcher(networks: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of networks) {
    const network = parseNetwork(entry);
    if (network) list.addSubnet(network.address, network.prefix, network.family);
  }
  return (address) => {
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
    const plain = mapped ?? address;
    const version = isIP(plain);
    if (version === 0) return false;
    return list.check(plain, version === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * Compares a presented bearer with METRICS_TOKEN in constant time: both are hashed first, so neither the
 * content nor the length of the token shows in how long a wrong guess takes.
 */
export function isMetricsToken(presented: string, token: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(token));
}
