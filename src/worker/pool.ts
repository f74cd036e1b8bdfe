/**
 * A semaphore-bounded pool, written here because it is the heart of the worker: at most `size`
 * tasks run at once, waiters start in arrival order, a task's permit is always given back however
 * it ends, and `close()` rejects every waiter at once (they never start). `drain()` waits for the
 * tasks in flight. Time limits are the handler's concern (middleware/timeout.ts).
 */

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

interface Waiter {
  start(): void;
  reject(error: Error): void;
}

export class Pool {
  readonly #size: number;
  #inFlight = 0;
  #peak = 0;
  #closed = false;
  /** Waiters in arrival order; `#head` skips those already started (no O(n) shift). */
  #waiters: Waiter[] = [];
  #head = 0;
  #idle: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new RangeError(`Pool size must be a positive integer, got ${size}`);
    }
    this.#size = size;
  }

  get stats(): PoolStats {
    return {
      size: this.#size,
      inFlight: this.#inFlight,
      waiting: this.#waiters.length - this.#head,
      peak: this.#peak,
    };
  }

  /**
   * Runs `task` once a permit is free and gives the permit back however the task ends.
   * Rejects with {@linkcode PoolClosedError} if the pool closes before the task starts.
   * (No async function: per task this costs the task's own promise and one `then`.)
   */
  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    if (this.#inFlight < this.#size) {
      this.#take();
      return this.#start(task);
    }
    return new Promise<void>((start, reject) => this.#waiters.push({ start, reject }))
      .then(() => this.#start(task));
  }

  /** Starts `task` on a permit already taken; the permit comes back when it settles. */
  #start<T>(task: () => Promise<T>): Promise<T> {
    let running: Promise<T>;
    try {
      running = task();
    } catch (error) {
      this.#give();
      return Promise.reject(error);
    }
    return running.then(this.#release as (value: T) => T, this.#releaseFailed);
  }

  readonly #release = <T>(value: T): T => {
    this.#give();
    return value;
  };
  readonly #releaseFailed = (error: unknown): never => {
    this.#give();
    throw error;
  };

  #take(): void {
    this.#inFlight++;
    if (this.#inFlight > this.#peak) this.#peak = this.#inFlight;
  }

  /** Hands the permit to the next waiter, or frees it. */
  #give(): void {
    const next = this.#waiters[this.#head];
    if (next !== undefined) {
      this.#waiters[this.#head++] = undefined as never;
      if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
        this.#waiters = this.#waiters.slice(this.#head);
        this.#head = 0;
      }
      next.start(); // the permit passes on: inFlight is unchanged
      return;
    }
    this.#inFlight--;
    if (this.#inFlight === 0) this.#idle.splice(0).forEach((resolve) => resolve());
  }

  /** Stops new tasks from starting; every task waiting for a permit rejects now. */
  close(): void {
    this.#closed = true;
    const waiting = this.#waiters.slice(this.#head);
    this.#waiters = [];
    this.#head = 0;
    for (const waiter of waiting) waiter.reject(new PoolClosedError());
  }

  /** Resolves `true` once no task holds a permit, or `false` if `signal` aborts first. */
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
