/**
 * A bounded memory of recently handled event IDs, so a redelivered event is acked without
 * running its handler again. Oldest IDs are forgotten first; size 0 remembers nothing.
 */
export class RecentIds {
  readonly #ids = new Set<string>();
  readonly #capacity: number;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(`RecentIds capacity must be an integer >= 0, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#ids.size;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Remembers `id`, forgetting the oldest one when full. */
  add(id: string): void {
    if (this.#capacity === 0) return;
    this.#ids.delete(id); // re-adding moves it to the newest end
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }
}

/** What {@linkcode Dedupe.claim} found. */
export type Claim = "new" | "handled" | "busy";

/**
 * Duplicate detection for one worker process: IDs handled recently (bounded, see
 * {@linkcode RecentIds}) and IDs being handled right now, so two copies of one event never run
 * at the same time.
 */
export class Dedupe {
  readonly #handled: RecentIds;
  readonly #busy = new Set<string>();

  constructor(window: number) {
    this.#handled = new RecentIds(window);
  }

  /** `new` (and now busy) when the event may be handled; otherwise why not. */
  claim(eventID: string): Claim {
    if (this.#handled.has(eventID)) return "handled";
    if (this.#busy.has(eventID)) return "busy";
    this.#busy.add(eventID);
    return "new";
  }

  /** Ends a claim; `handled` remembers the ID so later copies are duplicates. */
  release(eventID: string, handled: boolean): void {
    this.#busy.delete(eventID);
    if (handled) this.#handled.add(eventID);
  }
}
