import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors.js';

/**
 * Outbound requests to URLs that API callers chose (webhooks, connectors) must not reach the
 * platform's own network: loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-
 * grade NAT, multicast, unspecified and the IPv6 equivalents are refused. The check runs on the
 * addresses DNS returns *at connection time* (as the socket's `lookup`), so a name that resolves to a
 * public address when created and to a private one later (DNS rebinding) is still refused.
 * Loopback is allowed only outside production, for local receivers in tests and development.
 */
export interface EgressPolicy {
  /** Production: https only, and never loopback. */
  production: boolean;
}

export type EgressRefusal = 'invalid-url' | 'https-required' | 'private-address' | 'unresolvable';

export class EgressError extends AppError {
  constructor(
    readonly reason: EgressRefusal,
    message: string,
  ) {
    super('BAD_USER_INPUT', message, { reason });
  }
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) blocked.addSubnet(net, prefix, 'ipv6');
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Why an address may not be reached, or null when it may. */
export function refuseAddress(address: string, policy: EgressPolicy): string | null {
  let family: 'ipv4' | 'ipv6' = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  let a = address;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) {
    a = mapped[1]!;
    family = 'ipv4';
  }
  if (loopback.check(a, family)) return policy.production ? `${address} is a loopback address` : null;
  if (blocked.check(a, family)) return `${address} is a private, link-local or reserved address`;
  return null;
}

/** Parses and checks a URL's form (scheme, credentials, literal addresses). DNS is checked when connecting. */
export function checkUrl(raw: string, policy: EgressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EgressError('invalid-url', `"${raw.slice(0, 100)}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EgressError('invalid-url', 'Only http(s) URLs can be called.');
  if (policy.production && url.protocol !== 'https:') throw new EgressError('https-required', 'In production, webhook and connector URLs must use https.');
  if (url.username || url.password) throw new EgressError('invalid-url', 'Put credentials in headers, not in the URL.');
  if (raw.length > 2000) throw new EgressError('invalid-url', 'A URL may have at most 2000 characters.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = refuseAddress(host, policy);
    if (why) throw new EgressError('private-address', `Refused: ${why}.`);
  } else if (host === 'localhost' || host.endsWith('.localhost')) {
    if (policy.production) throw new EgressError('private-address', 'Refused: localhost.');
  }
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http(s).request that refuses private addresses (after DNS, at connection time). */
export function guardedLookup(policy: EgressPolicy) {
  return (hostname: string, options: { all?: boolean } & Record<string, unknown>, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(new EgressError('unresolvable', `${hostname} does not resolve (${err.code ?? err.message}).`), []);
      const list = addresses;
      for (const a of list) {
        const why = refuseAddress(a.address, policy);
        if (why) return callback(new EgressError('private-address', `Refused: ${hostname} resolves to ${why}.`), []);
      }
      if (options.all) return callback(null, list);
      const first = list[0]!;
      return callback(null, first.address, first.family);
    });
  };
}
