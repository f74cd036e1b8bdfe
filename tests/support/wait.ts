/** The one way tests wait for a condition: poll until it holds, or fail saying what was awaited. */
import { sleep } from "../../src/base/async.ts";

/** Options for {@linkcode waitFor}. */
export interface WaitOptions {
  /** Give up after this long. Default 30 s. */
  timeoutMs?: number;
  /** Poll this often. Default 50 ms. */
  intervalMs?: number;
  /** What is awaited, for the error message. */
  what?: string;
  /** Adds the state reached so far to the error message. */
  progress?: () => string;
}

/**
 * Resolves with the first truthy value `probe` returns, polling every `intervalMs`; rejects
 * after `timeoutMs` naming what it waited for and how far it got.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) {
      const progress = options.progress ? ` (${options.progress()})` : "";
      throw new Error(
        `timed out after ${timeoutMs}ms waiting for ${options.what ?? "a condition"}${progress}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
}
