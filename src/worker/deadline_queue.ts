/**
 * Deadlines that all share one timeout, so they expire in the order they were added: a linked
 * list and a single timer replace a timer per event (profiling showed a timer per event to be a
 * large part of the per-event cost). Settling a deadline unlinks it at once, so the list holds
 * exactly the unsettled deadlines, whatever order work finishes in.
 */

/** One pending deadline. */
export interface Deadline {
  readonly at: number;
  /** Called once, when the deadline passes before it was settled (no argument), or with the
   * reason given to {@linkcode DeadlineQueue.expireAll}. */
  readonly expire: (reason?: unknown) => void;
  /** Whether it is still pending (neither settled nor expired). */
  readonly pending: boolean;
}

/**
 * A deadline that is its own queue node: a caller with an object per call anyway (the timeout
 * middleware's call) extends this and {@linkcode DeadlineQueue.insert}s it, so a deadline costs
 * no allocation of its own.
 */
export abstract class DeadlineEntry implements Deadline {
  at = 0;
  pending = false;
  prev: Node | undefined = undefined;
  next: Node | undefined = undefined;
  abstract expire(reason?: unknown): void;
}

interface Node extends Deadline {
  pending: boolean;
  prev: Node | undefined;
  next: Node | undefined;
}

/** A FIFO of deadlines with one shared timer. */
export class DeadlineQueue {
  #head: Node | undefined;
  #tail: Node | undefined;
  #size = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #slackMs: number;

  /**
   * `slackMs` (default 0: never early) lets deadlines expire up to that much early. Deno's timers
   * count whole milliseconds (a fractional delay is cut down) and fire about half a millisecond
   * into the last one, so the timer often fires just before the deadline: an exact queue then
   * waits again and lands late, while with 1 ms of slack it expires the deadline then, at its
   * time on average (bench/deadline_queue_bench.ts measures both).
   */
  constructor(options: { slackMs?: number } = {}) {
    this.#slackMs = options.slackMs ?? 0;
  }

  /** Pending deadlines. */
  get size(): number {
    return this.#size;
  }

  /** Adds a deadline at `at` (a `performance.now()` value), later than any already added. */
  add(at: number, expire: (reason?: unknown) => void): Deadline {
    const node: Node = { at, expire, pending: true, prev: undefined, next: undefined };
    this.#link(node);
    return node;
  }

  /** Adds `entry` (not pending) as a deadline at `at`, later than any already added. */
  insert(entry: DeadlineEntry, at: number): void {
    entry.at = at;
    entry.pending = true;
    this.#link(entry);
  }

  #link(node: Node): void {
    node.prev = this.#tail;
    if (this.#tail) this.#tail.next = node;
    else this.#head = node;
    this.#tail = node;
    this.#size++;
    if (this.#timer === undefined) this.#schedule();
  }

  /** Cancels `deadline` (its call ended in time): it will not expire, and it leaves the queue now. */
  cancel(deadline: Deadline): void {
    const node = deadline as Node;
    if (!node.pending) return;
    this.#unlink(node);
    if (this.#head === undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Expires every pending deadline now, passing `reason` (the worker gave up: shutdown). */
  expireAll(reason: unknown): void {
    for (let node = this.#head; node; node = this.#head) {
      this.#unlink(node);
      node.expire(reason);
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #unlink(node: Node): void {
    node.pending = false;
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev;
    node.prev = node.next = undefined;
    this.#size--;
  }

  #schedule(): void {
    const next = this.#head;
    this.#timer = next === undefined
      ? undefined
      : setTimeout(() => this.#fire(), Math.max(0, next.at - performance.now()));
  }

  #fire(): void {
    const now = performance.now() + this.#slackMs;
    for (let node = this.#head; node && node.at <= now; node = this.#head) {
      this.#unlink(node);
      node.expire();
    }
    this.#schedule();
  }
}
