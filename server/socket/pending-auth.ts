/**
 * Bounds the connections that have not authenticated yet, per remote address and in all. Until it
 * answers its challenge a socket costs the relay a file descriptor, a timer and, at worst, one
 * packet as large as the transport allows (a few MB) read before the gate refuses it; unbounded,
 * one machine could open thousands and hold each for the whole auth timeout.
 *
 * Checked in engine.io's allowRequest, before the WebSocket is accepted: a refused client gets
 * HTTP 400 with the reason as its body, and retries with its usual backoff. An admitted
 * connection holds its place until it authenticates or its TCP connection closes, whichever comes
 * first (the auth timeout closes it at the latest). "An address" is an IPv4 address, or an IPv6
 * /64: one host is normally given a whole /64 and may use any address in it. Behind a reverse
 * proxy every connection comes from the proxy's address: set the per-address bound to the overall
 * one there.
 */
import type { IncomingMessage } from 'node:http';

export class PendingAuthLimit {
  private readonly byAddress = new Map<string, number>();
  private readonly held = new WeakMap<IncomingMessage, () => void>();
  private total = 0;

  constructor(
    private readonly perAddress: number,
    private readonly overall: number,
  ) {}

  /** Connections admitted and not yet authenticated or closed. */
  get waiting(): number {
    return this.total;
  }

  /** Admits the connection `request` opens (undefined) or says why not. */
  admit(request: IncomingMessage): string | undefined {
    const address = addressKey(request.socket.remoteAddress);
    const fromAddress = this.byAddress.get(address) ?? 0;
    if (fromAddress >= this.perAddress) return `too many connections from this address are waiting to authenticate (limit ${this.perAddress}); retry shortly`;
    if (this.total >= this.overall) return `too many connections are waiting to authenticate (limit ${this.overall}); retry shortly`;
    this.byAddress.set(address, fromAddress + 1);
    this.total += 1;
    const release = () => {
      if (!this.held.delete(request)) return;
      request.socket.off('close', release);
      this.total -= 1;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    };
    this.held.set(request, release);
    request.socket.once('close', release);
    return undefined;
  }

  /** The connection opened by `request` has authenticated: it no longer counts. */
  authenticated(request: IncomingMessage): void {
    this.held.get(request)?.();
  }
}

/**
 * What connections are counted by: an IPv4 address (also when written IPv4-mapped, ::ffff:a.b.c.d)
 * or the /64 an IPv6 address is in, written as its first four groups.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0] ?? ''; // without a zone index (fe80::1%eth0)
  const [head = '', tail] = bare.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  // A dotted IPv4 tail (64:ff9b::192.0.2.1) stands for two groups.
  const width = (list: string[]) => list.reduce((sum, group) => sum + (group.includes('.') ? 2 : 1), 0);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - width(left) - width(right))).fill('0'), ...right];
  const prefix = all.slice(0, 4).map((group) => (Number.parseInt(group, 16) || 0).toString(16));
  return `${prefix.join(':')}::/64`;
}
