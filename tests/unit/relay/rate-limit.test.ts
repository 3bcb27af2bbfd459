import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../server/rate-limit';

describe('token bucket', () => {
  it('allows the burst, then the sustained rate, and says how long to wait', () => {
    const bucket = new TokenBucket(10, 5);
    for (let i = 0; i < 5; i++) expect(bucket.take(1000)).toBe(0);
    expect(bucket.take(1000)).toBe(100);
    expect(bucket.take(1100)).toBe(0);
    expect(bucket.take(1100, 3)).toBe(300);
    expect(bucket.take(10_000, 6)).toBeGreaterThan(0); // never more than the burst
  });
});
