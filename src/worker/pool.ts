/**
 * A semaphore-bounded pool: at most `size` tasks run at once and a task's permit is always given
 * back, whether it resolves or rejects. `close()` stops new work; `drain()` waits for the work in
 * flight. The semaphore itself is `async-sema`'s; time limits are the handler's concern
 * (`withTimeout` in handler.ts).
 */
import { Sema } from "async-sema";

/** The pool was closed before the task could start. */
export class PoolClosedError extends Error {
  constructor() {
    super("the pool is closed: the task was not started");
    this.name = "PoolClosedError";
  }
}

/** A snapshot of the pool. */
export interface PoolStats {
  size: number;
  /** Tasks holding a permit now. */
  inFlight: number;
  /** Tasks waiting for a permit. */
  waiting: number;
  /** Most tasks that ever held a permit at once. */
  peak: number;
}

export class Pool {
  readonly #sema: Sema;
  readonly #size: number;
  #inFlight = 0;
  #peak = 0;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new RangeError(`Pool size must be a positive integer, got ${size}`);
    }
    this.#size = size;
    this.#sema = new Sema(size);
  }

  get stats(): PoolStats {
    return {
      size: this.#size,
      inFlight: this.#inFlight,
      waiting: this.#sema.nrWaiting(),
      peak: this.#peak,
    };
  }

  /**
   * Runs `task` once a permit is free and gives the permit back however the task ends.
   * Rejects with {@linkcode PoolClosedError} if the pool closes before the task starts.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new PoolClosedError();
    await this.#sema.acquire();
    if (this.#closed) {
      this.#sema.release();
      throw new PoolClosedError();
    }
    this.#inFlight++;
    this.#peak = Math.max(this.#peak, this.#inFlight);
    try {
      return await task();
    } finally {
      this.#inFlight--;
      this.#sema.release();
      if (this.#inFlight === 0) this.#idle.splice(0).forEach((resolve) => resolve());
    }
  }

  /** Stops new tasks from starting; tasks waiting for a permit reject with PoolClosedError. */
  close(): void {
    this.#closed = true;
  }

  /**
   * Resolves `true` once no task holds a permit, or `false` if `signal` aborts first.
   */
  drain(signal?: AbortSignal): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onIdle = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      };
      const onAbort = () => {
        this.#idle = this.#idle.filter((r) => r !== onIdle);
        resolve(false);
      };
      this.#idle.push(onIdle);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
