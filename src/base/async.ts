/** Small async helpers shared by every layer. */

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A signal that aborts after `ms`, on the timers a fake clock can drive (unlike
 * `AbortSignal.timeout`). */
export function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("timed out", "TimeoutError")),
    ms,
  );
  Deno.unrefTimer(timer);
  return controller.signal;
}

/** Whether `promise` settles within `ms` (0 or undefined: waits for it however long it takes). */
export function endsWithin(promise: Promise<unknown>, ms: number | undefined): Promise<boolean> {
  const ended = promise.then(() => true, () => true);
  if (ms === undefined || ms <= 0) return ended;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms));
  return Promise.race([ended, late]).finally(() => clearTimeout(timer));
}
