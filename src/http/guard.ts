/**
 * The SSRF guard: an undici connector that checks addresses after DNS resolution, at connect time, so a name
 * that resolves to a public address for a check and a private one for the fetch (DNS rebinding) gains nothing.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { isPrivateAddress } from './address.js';

/** Raised by the guarded connector; the client turns it into a PermanentError naming the URL. */
export class RefusedAddressError extends Error {
  override readonly name = 'RefusedAddressError';
  constructor(
    readonly address: string,
    readonly hostname: string,
  ) {
    super(`refusing private address ${address} for ${hostname}`);
  }
}

/** Host names and addresses exempt from the guard, compared lower-case and without IPv6 brackets. */
export class AllowList {
  private readonly entries: Set<string>;

  constructor(hosts: readonly string[]) {
    this.entries = new Set(hosts.map(bare));
  }

  /** True when the host name or the address it resolved to was allowed by the operator. */
  allows(hostname: string, address?: string): boolean {
    return this.entries.has(bare(hostname)) || (address !== undefined && this.entries.has(bare(address)));
  }
}

function bare(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/** A `net.connect` lookup that resolves every address and keeps only those the guard permits. */
function guardedLookup(allow: AllowList): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, '');
        return;
      }
      const permitted = allow.allows(hostname) ? addresses : addresses.filter((a) => !isPrivateAddress(a.address) || allow.allows(hostname, a.address));
      const first = permitted[0];
      if (!first) {
        callback(new RefusedAddressError(addresses[0]?.address ?? hostname, hostname), '');
        return;
      }
      if (options.all) callback(null, permitted);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici connector that refuses private addresses: IP-literal hosts before connecting (Node skips the lookup
 * for them), names through a checking DNS lookup, and the socket's peer address once connected as a last check.
 */
export function guardedConnector(options: { connectTimeoutMs: number; allow: AllowList }): buildConnector.connector {
  const { allow } = options;
  const connect = buildConnector({ timeout: options.connectTimeoutMs, lookup: guardedLookup(allow) });
  return (target, callback) => {
    const hostname = bare(target.hostname);
    if (isIP(hostname) !== 0 && isPrivateAddress(hostname) && !allow.allows(hostname)) {
      callback(new RefusedAddressError(hostname, hostname), null);
      return;
    }
    connect(target, (...result) => {
      const [err, socket] = result;
      if (err) {
        callback(err, null);
        return;
      }
      const peer = socket?.remoteAddress;
      if (peer !== undefined && isPrivateAddress(peer) && !allow.allows(hostname, peer)) {
        socket?.destroy();
        callback(new RefusedAddressError(peer, hostname), null);
        return;
      }
      callback(...result);
    });
  };
}
