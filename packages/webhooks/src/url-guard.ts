import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '@mserve/common';

/**
 * SSRF guard for webhook URLs. A URL is deliverable when it is http(s) and every address its host resolves to is
 * public unicast, or is covered by the operator's allowlist. The notifier re-runs the check before every attempt
 * and connects only to the addresses it checked ({@link pinnedLookup}), so a DNS answer that changes between the
 * check and the connect (rebinding) cannot redirect a delivery into the internal network.
 */

/** One address a host resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** A URL that passed the guard, with the addresses that were checked and must be the ones connected to. */
export interface DeliverableUrl {
  url: URL;
  /** Host without IPv6 brackets, lower-case, no trailing dot. */
  host: string;
  addresses: ResolvedAddress[];
}

/** Parsed `WEBHOOK_ALLOW_HOSTS`: exact host names and CIDR ranges (a bare IP is its own /32 or /128). */
export interface AllowList {
  hosts: ReadonlySet<string>;
  cidrs: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

/** Options of the guard. */
export interface GuardOptions {
  /** Allowlist entries (host names, IPs or CIDRs) or an already parsed {@link AllowList}. */
  allow: readonly string[] | AllowList;
  /** Resolver (tests); defaults to the system resolver, which is what a connect would use. */
  resolve?: (host: string) => Promise<ResolvedAddress[]>;
  /** Longest wait for DNS, in ms. */
  dnsTimeoutMs?: number;
}

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);

function refuse(message: string, details?: Record<string, unknown>): never {
  throw new AppError('WEBHOOK_URL_REFUSED', message, details);
}

function normaliseHost(hostname: string): string {
  let h = hostname.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * Parses allowlist entries: `10.0.0.0/8`, `::1/128`, `127.0.0.1`, `[::1]`, `receiver.local`.
 * @throws AppError CONFIG_INVALID naming the first malformed entry.
 */
export function parseAllowList(entries: readonly string[]): AllowList {
  const hosts = new Set<string>();
  const cidrs: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const raw of entries) {
    const entry = normaliseHost(raw.trim());
    if (entry === '') continue;
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new AppError('CONFIG_INVALID', `WEBHOOK_ALLOW_HOSTS: bad CIDR "${raw}"`);
      cidrs.push(ipaddr.parseCIDR(entry));
    } else if (isIP(entry) !== 0) {
      const addr = ipaddr.parse(entry);
      cidrs.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(entry)) {
      hosts.add(entry);
    } else {
      throw new AppError('CONFIG_INVALID', `WEBHOOK_ALLOW_HOSTS: "${raw}" is neither a host name, an IP nor a CIDR`);
    }
  }
  return { hosts, cidrs };
}

function toAllowList(allow: GuardOptions['allow']): AllowList {
  return Array.isArray(allow) ? parseAllowList(allow as readonly string[]) : (allow as AllowList);
}

/**
 * The special-purpose range an address belongs to, or `unicast` for an ordinary public address. IPv4-mapped,
 * NAT64, 6to4 and Teredo IPv6 addresses are ranges of their own (they embed an IPv4 address that could be
 * internal), as are loopback, private, link-local (cloud metadata 169.254.169.254), CGNAT (also Alibaba's
 * metadata 100.100.100.200), unique-local (AWS fd00:ec2::254), multicast, unspecified and reserved blocks.
 */
export function addressRange(address: string): string {
  if (!ipaddr.isValid(address) || isIP(address) === 0) return 'invalid';
  return ipaddr.parse(address).range();
}

function inAllowedCidr(address: string, allow: AllowList): boolean {
  const addr = ipaddr.parse(address);
  return allow.cidrs.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
}

/** True when connecting to `address` is permitted: public unicast, or inside an allowlisted CIDR. */
export function isPermittedAddress(address: string, allow: readonly string[] | AllowList): boolean {
  const list = toAllowList(allow);
  return addressRange(address) === 'unicast' || (isIP(address) !== 0 && inAllowedCidr(address, list));
}

async function systemResolve(host: string): Promise<ResolvedAddress[]> {
  const all = await dnsLookup(host, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Error of a DNS lookup that may succeed later (the notifier retries it; submission refuses it). */
export class WebhookDnsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookDnsError';
  }
}

/**
 * Checks `url` and returns the addresses a delivery may connect to.
 * @throws AppError WEBHOOK_URL_REFUSED with the reason (scheme, credentials, or which address is in which range)
 * @throws WebhookDnsError when the host does not resolve (now)
 */
export async function resolveDeliverableUrl(url: string, opts: GuardOptions): Promise<DeliverableUrl> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse(`webhook url is not a valid absolute URL`);
  }
  if (!ALLOWED_PROTOCOLS.has(parsed.protocol)) {
    refuse(`webhook url scheme "${parsed.protocol.replace(/:$/, '')}" is not allowed (http or https only)`, {
      scheme: parsed.protocol,
    });
  }
  // Userinfo would be stored with the job, listed in dead letters and logged; receivers authenticate deliveries by
  // their signature instead. The credentials are not repeated in the message.
  if (parsed.username !== '' || parsed.password !== '') {
    refuse('webhook url must not carry credentials (user:password@host); receivers verify the webhook-signature', {
      reason: 'userinfo',
    });
  }
  const allow = toAllowList(opts.allow);
  // WHATWG URL parsing already turned 0x7f000001, 2130706433, 0177.1 and friends into dotted quads.
  const host = normaliseHost(parsed.hostname);
  if (host === '') refuse('webhook url has no host');
  const hostAllowed = allow.hosts.has(host);

  let addresses: ResolvedAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await withTimeout((opts.resolve ?? systemResolve)(host), opts.dnsTimeoutMs ?? 5000, 'DNS lookup');
    } catch (err) {
      throw new WebhookDnsError(`webhook host "${host}" does not resolve: ${(err as Error).message}`, { cause: err });
    }
    if (addresses.length === 0) throw new WebhookDnsError(`webhook host "${host}" resolves to no address`);
  }
  // Every address must pass, not just one: the connect could pick any of them.
  for (const { address } of addresses) {
    const range = addressRange(address);
    if (hostAllowed || range === 'unicast' || (range !== 'invalid' && inAllowedCidr(address, allow))) continue;
    const what =
      isIP(host) !== 0 ? `webhook address ${address}` : `webhook host "${host}" resolves to ${address}, which`;
    refuse(
      `${what} is in the ${range} range; deliveries go to public addresses only ` +
        `(operators can allow local receivers with WEBHOOK_ALLOW_HOSTS)`,
      { host, address, range },
    );
  }
  return { url: parsed, host, addresses };
}

/**
 * Refuses a webhook URL that is not http(s), or whose host resolves to any non-public address outside the
 * allowlist. Used at submission, where the refusal is a 422.
 * @throws AppError WEBHOOK_URL_REFUSED with a reason a client can act on (unresolvable hosts included)
 */
export async function assertDeliverableUrl(url: string, opts: GuardOptions): Promise<void> {
  try {
    await resolveDeliverableUrl(url, opts);
  } catch (err) {
    if (err instanceof WebhookDnsError) refuse(err.message);
    throw err;
  }
}

/**
 * A `lookup` for `http.request`/`net.connect` that answers only with the addresses already checked, so the socket
 * connects to exactly what the guard approved whatever DNS says by now.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = typeof options === 'object' && options !== null ? options.family : undefined;
    const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : [...addresses];
    const cb = callback as unknown as (
      err: NodeJS.ErrnoException | null,
      address: string | ResolvedAddress[],
      family?: number,
    ) => void;
    const first = wanted[0];
    if (first === undefined) {
      const err: NodeJS.ErrnoException = new Error(`no checked address of family ${String(family)}`);
      err.code = 'ENOTFOUND';
      cb(err, '', undefined);
      return;
    }
    if (typeof options === 'object' && options !== null && options.all) cb(null, wanted);
    else cb(null, first.address, first.family);
  };
}
