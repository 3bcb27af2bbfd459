/**
 * Per-device queue caps (envelope count and bytes), counted in memory so that accepting an
 * envelope costs no extra query. Counts are loaded from the database on first use and dropped
 * whenever the database may have changed behind our back (a rolled-back flush, a CLI revocation).
 * Correct because this relay process is the only writer of envelopes.
 */
import type { EnvelopeRepository } from './db/envelopes';

export class QueueQuota {
  private readonly usage = new Map<string, { count: number; bytes: number }>();

  constructor(
    private readonly envelopes: EnvelopeRepository,
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {}

  tryAdd(deviceId: string, size: number): boolean {
    const usage = this.get(deviceId);
    if (usage.count + 1 > this.maxCount || usage.bytes + size > this.maxBytes) return false;
    usage.count += 1;
    usage.bytes += size;
    return true;
  }

  /** Undo of tryAdd for an envelope that turned out to be a duplicate. */
  release(deviceId: string, size: number): void {
    const usage = this.usage.get(deviceId);
    if (!usage) return;
    usage.count = Math.max(0, usage.count - 1);
    usage.bytes = Math.max(0, usage.bytes - size);
  }

  invalidate(deviceId: string): void {
    this.usage.delete(deviceId);
  }

  invalidateAll(): void {
    this.usage.clear();
  }

  private get(deviceId: string): { count: number; bytes: number } {
    let usage = this.usage.get(deviceId);
    if (!usage) {
      usage = this.envelopes.stats(deviceId);
      this.usage.set(deviceId, usage);
    }
    return usage;
  }
}
