/**
 * Duplicate detection for one worker process: the IDs of events handled recently (a bounded
 * ring: the oldest is forgotten first) and the IDs being handled right now, so two copies of one
 * event never run at the same time: a copy that finds its event busy waits for the running one's
 * end ({@linkcode Dedupe.released}). One map holds both states, so an event costs two or three
 * map operations (a claim, then a release) and no allocation but its entry.
 */

const BUSY = 1;
const HANDLED = 2;

/** What {@linkcode Dedupe.claim} found. */
export type Claim = "new" | "handled" | "busy";

/** Handled and in-progress event IDs of this process; a window of 0 remembers no handled ID. */
export class Dedupe {
  readonly #state = new Map<string, typeof BUSY | typeof HANDLED>();
  /** Handled IDs in the order they were handled (a ring of `window` slots). */
  readonly #ring: (string | undefined)[];
  #next = 0;
  /** Copies waiting for a busy event's end, by event ID. */
  readonly #waiting = new Map<string, ((handled: boolean) => void)[]>();

  constructor(window: number) {
    if (!Number.isSafeInteger(window) || window < 0) {
      throw new RangeError(`Dedupe window must be an integer >= 0, got ${window}`);
    }
    this.#ring = new Array(window);
  }

  /** Handled IDs remembered now. */
  get handled(): number {
    let count = 0;
    for (const state of this.#state.values()) if (state === HANDLED) count++;
    return count;
  }

  /** `new` (and now busy) when the event may be handled; otherwise why not. */
  claim(eventID: string): Claim {
    const state = this.#state.get(eventID);
    if (state === HANDLED) return "handled";
    if (state === BUSY) return "busy";
    this.#state.set(eventID, BUSY);
    return "new";
  }

  /** Resolves when the claim on busy `eventID` ends: with whether it was handled. */
  released(eventID: string): Promise<boolean> {
    return new Promise((resolve) => {
      const waiting = this.#waiting.get(eventID);
      if (waiting) waiting.push(resolve);
      else this.#waiting.set(eventID, [resolve]);
    });
  }

  /** Ends a claim; `handled` remembers the ID so later copies are duplicates. */
  release(eventID: string, handled: boolean): void {
    const waiting = this.#waiting.get(eventID);
    if (waiting) {
      this.#waiting.delete(eventID);
      for (const resolve of waiting) resolve(handled);
    }
    if (!handled || this.#ring.length === 0) {
      this.#state.delete(eventID);
      return;
    }
    this.#state.set(eventID, HANDLED);
    const oldest = this.#ring[this.#next];
    // The oldest handled ID is forgotten (a claim never makes a handled ID busy again).
    if (oldest !== undefined && oldest !== eventID) this.#state.delete(oldest);
    this.#ring[this.#next] = eventID;
    this.#next = (this.#next + 1) % this.#ring.length;
  }
}
