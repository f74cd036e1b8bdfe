/**
 * Waiting for the running copy of an event: Pub/Sub delivered it again while the handler runs it
 * here, so the new delivery is held (its lease kept) until that call ends, one handler timeout
 * passes, or the worker stops.
 */
import type { Claim, Dedupe } from "./dedupe.ts";

/** How long a copy waits for the running call. */
export interface RunningCopyWait {
  /** Ends the wait when the worker stops. */
  readonly signal: AbortSignal;
  /** At most this many milliseconds (the handler timeout); 0 or absent: as long as it runs. */
  readonly busyWaitMs?: number;
}

/**
 * Waits for the copy of `key` that runs now: `settled` when it succeeded, `waited` when it still
 * runs after one handler timeout or the worker stops, else the claim this delivery makes then (it
 * runs the handler, unless another copy got there first).
 */
export async function afterRunningCopy(
  dedupe: Dedupe,
  key: string,
  options: RunningCopyWait,
): Promise<Claim | "settled" | "waited"> {
  let claim: Claim = "busy";
  while (claim === "busy") {
    const handled = await runningCopy(dedupe, key, options);
    if (handled) return "settled";
    if (handled === undefined) return "waited";
    claim = dedupe.claim(key); // it failed: this delivery runs the handler
  }
  return claim;
}

/**
 * Whether the running call of event `key` was handled, once it ends; undefined when it still runs
 * after `busyWaitMs`, or the worker stops first.
 */
function runningCopy(
  dedupe: Dedupe,
  key: string,
  options: RunningCopyWait,
): Promise<boolean | undefined> {
  const signal = options.signal;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const end = (handled: boolean | undefined) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
      resolve(handled);
    };
    const stop = () => end(undefined);
    signal.addEventListener("abort", stop, { once: true });
    if (options.busyWaitMs) timer = setTimeout(stop, options.busyWaitMs);
    dedupe.released(key).then(end);
  });
}
