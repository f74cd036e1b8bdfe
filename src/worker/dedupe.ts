/**
 * Duplicate detection for one worker process: the IDs of events handled recently (a bounded
 * ring: the oldest is forgotten first, O(1) and no allocation per event) and the IDs being
 * handled right now, so two copies of one event never run at the same time.
 */

/** A bounded memory of recently handled event IDs; capacity 0 remembers nothing. */
export class RecentIds {
  readonly #ids = new Set<string>();
  readonly #ring: (string | undefined)[];
  #next = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(`RecentIds capacity must be an integer >= 0, got ${capacity}`);
    }
    this.#ring = new Array(capacity);
  }

  get size(): number {
    return this.#ids.size;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Remembers `id`, forgetting the oldest one when full. */
  add(id: string): void {
    if (this.#ring.length === 0 || this.#ids.has(id)) return;
    const oldest = this.#ring[this.#next];
    if (oldest !== undefined) this.#ids.delete(oldest);
    this.#ring[this.#next] = id;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#ids.add(id);
  }
}

/** What {@linkcode Dedupe.claim} found. */
export type Claim = "new" | "handled" | "busy";

/** Handled and in-progress event IDs of this process. */
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
