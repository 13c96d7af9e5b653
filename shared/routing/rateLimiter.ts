const WINDOW_MS = 60_000;
/** Keys tracked before refilled ones are dropped. */
const MAX_TRACKED = 50_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (a connection): `perMinute` messages at once, refilled evenly over a
 * minute, so there is no boundary where twice the rate gets through. Past `MAX_TRACKED` keys,
 * the buckets that have refilled (equal to no bucket at all) are dropped, then the least
 * recently used ones that are not limited; a limited key is never forgotten because others
 * arrive, so beyond the cap memory grows only with keys limited within the last minute. Limits hold per app instance, which is what a scaled-out Functions app
 * can enforce without a shared store on the hot path.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** After a sweep that found nothing to drop, the next one waits, so takes stay O(1). */
  private nextEvictionAt = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  /** Counts one message; false when the key has no message left. */
  take(key: string): boolean {
    if (this.perMinute === 0) return true;
    const now = this.now();
    const bucket = this.refilled(this.buckets.get(key), now);
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxTracked && now >= this.nextEvictionAt) this.evict(now);
    // Re-inserted, so the map's order is least recently used first.
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** How many keys are tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (bucket === undefined) return { tokens: this.perMinute, at: now };
    const earned = ((now - bucket.at) * this.perMinute) / WINDOW_MS;
    return { tokens: Math.min(this.perMinute, bucket.tokens + earned), at: now };
  }

  /** Drops refilled buckets, then unlimited ones (least recently used first), to 90% of the cap. */
  private evict(now: number): void {
    const target = Math.floor(this.maxTracked * 0.9);
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now).tokens >= this.perMinute) this.buckets.delete(key);
    }
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size <= target) break;
      if (this.refilled(bucket, now).tokens >= 1) this.buckets.delete(key);
    }
    // What is left is mostly limited keys, which refill within a minute: no sweep for a second,
    // so a burst of new keys does not scan the map once each.
    if (this.buckets.size > target) this.nextEvictionAt = now + 1000;
  }
}
