// Waiting on another process's progress, seen through a shared database: checks a condition
// until it holds (or the time is up, then fails naming what was awaited). The interval is only
// how often to look; nothing is assumed about how long the other process takes.

export async function waitFor<T>(
  check: () => Promise<T | null | false | undefined>,
  options: { readonly timeoutMs: number; readonly intervalMs?: number; readonly what: string },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false && value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${options.timeoutMs / 1000} s waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
