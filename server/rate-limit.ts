/** Token bucket: `rate` tokens per second, holding at most `burst`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes `cost` tokens; returns 0 on success or the milliseconds until they would be available. */
  take(now: number, cost = 1): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = now;
    if (cost <= this.tokens) {
      this.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil(((cost - this.tokens) / this.rate) * 1000));
  }
}
