const WINDOW_MS = 60_000;
const MAX_TRACKED = 50_000;

/**
 * Fixed one-minute windows per key (a connection). Memory is bounded: when too many keys are
 * tracked, expired windows are dropped. Limits hold per app instance, which is what a
 * scaled-out Functions app can enforce without a shared store on the hot path.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one message; false when the key has used up its window. */
  take(key: string): boolean {
    if (this.perMinute === 0) return true;
    const now = this.now();
    let window = this.windows.get(key);
    if (window === undefined || now - window.start >= WINDOW_MS) {
      if (this.windows.size >= MAX_TRACKED) this.prune(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count <= this.perMinute;
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.start >= WINDOW_MS) this.windows.delete(key);
    }
    if (this.windows.size >= MAX_TRACKED) this.windows.clear();
  }
}
