import { BlockList, isIP } from 'node:net';

/** Addresses a callback must not reach unless the sender is explicitly allowed to (SSRF). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

export type AddressClass = 'public' | 'loopback' | 'internal';

export function classifyAddress(address: string): AddressClass {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]; // IPv4-mapped IPv6
  const ip = mapped ?? address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(ip, family)) return 'loopback';
  if (INTERNAL.check(ip, family)) return 'internal';
  return 'public';
}

export interface TargetPolicy {
  /** Loopback targets allowed (demo sender, tests). */
  allowLoopback: boolean;
  /** Any address allowed: the sender registered this origin explicitly. */
  allowInternal: boolean;
}

/** Why `address` may not be reached under `policy`, or undefined when it may. */
export function refusal(address: string, policy: TargetPolicy): string | undefined {
  const kind = classifyAddress(address);
  if (kind === 'public' || policy.allowInternal) return undefined;
  if (kind === 'loopback' && policy.allowLoopback) return undefined;
  return `refusing to connect to ${kind} address ${address}`;
}

/** A sender's policy for one URL: internal addresses only for origins it registered by name. */
export function policyFor(sender: { allowLoopbackCallbacks: boolean; allowedCallbackOrigins: string[] }, url: string): TargetPolicy {
  return { allowLoopback: sender.allowLoopbackCallbacks, allowInternal: sender.allowedCallbackOrigins.includes(new URL(url).origin) };
}
