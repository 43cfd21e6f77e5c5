/**
 * Time for measurements that cross process boundaries: the benchmark and the gateway child both stamp events with
 * `wallNow()` (the system clock at sub-millisecond resolution), so an instant in one process compares with an
 * instant in the other. `Date.now()` would do too, at a whole millisecond.
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `condition()` holds, polling every `everyMs`; rejects with `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
  everyMs = 5,
): Promise<void> {
  const deadline = wallNow() + timeoutMs;
  while (!condition()) {
    if (wallNow() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Rejects with `what` if `promise` does not settle within `timeoutMs` (the timer never holds the process). */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
