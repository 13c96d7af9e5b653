type Probe<T> = () => T | undefined | false | Promise<T | undefined | false>;

/** Polls until `probe` gives a value other than undefined/false, or fails after the timeout. */
export async function waitFor<T>(probe: Probe<T>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
