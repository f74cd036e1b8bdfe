/**
 * Duplicate detection for one worker process: the IDs of events handled recently and the IDs
 * being handled right now, so two copies of one event never run at the same time: a copy that
 * finds its event busy waits for the running one's end ({@linkcode Dedupe.released}). A handled ID
 * is remembered for `--dedupe-window` events at most (a ring: the oldest is forgotten first) and
 * for `--dedupe-for` at most: a copy arriving later than that is handled again. Pub/Sub sends a
 * copy of a handled event when its ack was lost, within the ack deadline; a copy that comes much
 * later was asked for (`replay`), and must reach the handler. One map holds both states (busy, or
 * when the event was handled, in tenths of a second: a small integer, no allocation), so an event
 * costs two or three map operations and no allocation but its entry.
 */

const BUSY = -1;
const TICK_MS = 100;

/** What {@linkcode Dedupe.claim} found. */
export type Claim = "new" | "handled" | "busy";

/** Handled and in-progress event IDs of this process; a window of 0 remembers no handled ID. */
export class Dedupe {
  /** BUSY, or when the event was handled (ticks of {@linkcode TICK_MS}). */
  readonly #state = new Map<string, number>();
  /** Handled IDs in the order they were handled (a ring of `window` slots), and when. */
  readonly #ring: (string | undefined)[];
  readonly #times: Int32Array;
  readonly #forTicks: number;
  #next = 0;
  /** Copies waiting for a busy event's end, by event ID. */
  readonly #waiting = new Map<string, ((handled: boolean) => void)[]>();

  /** Remembers at most `window` handled IDs, each for `forMs` (default: as long as it fits). */
  constructor(window: number, forMs = Number.POSITIVE_INFINITY) {
    if (!Number.isSafeInteger(window) || window < 0) {
      throw new RangeError(`Dedupe window must be an integer >= 0, got ${window}`);
    }
    if (!(forMs >= 0)) throw new RangeError(`Dedupe time must be >= 0 ms, got ${forMs}`);
    this.#ring = new Array(window);
    this.#times = new Int32Array(window);
    this.#forTicks = Math.ceil(forMs / TICK_MS);
  }

  /** Handled IDs remembered now (some may be past their time). */
  get handled(): number {
    let count = 0;
    for (const state of this.#state.values()) if (state !== BUSY) count++;
    return count;
  }

  /** `new` (and now busy) when the event may be handled; otherwise why not. */
  claim(eventID: string, now = performance.now()): Claim {
    const state = this.#state.get(eventID);
    if (state === BUSY) return "busy";
    if (state !== undefined && Math.floor(now / TICK_MS) - state < this.#forTicks) {
      return "handled";
    }
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

  /** Ends a claim; `handled` remembers the ID so later copies (for a while) are duplicates. */
  release(eventID: string, handled: boolean, now = performance.now()): void {
    const waiting = this.#waiting.get(eventID);
    if (waiting) {
      this.#waiting.delete(eventID);
      for (const resolve of waiting) resolve(handled);
    }
    if (!handled || this.#ring.length === 0 || this.#forTicks === 0) {
      this.#state.delete(eventID);
      return;
    }
    const tick = Math.floor(now / TICK_MS);
    this.#state.set(eventID, tick);
    const oldest = this.#ring[this.#next];
    // The oldest handled ID is forgotten, unless it was claimed or handled again since.
    const slot = this.#times[this.#next];
    if (oldest !== undefined && oldest !== eventID && this.#state.get(oldest) === slot) {
      this.#state.delete(oldest);
    }
    this.#ring[this.#next] = eventID;
    this.#times[this.#next] = tick;
    this.#next = (this.#next + 1) % this.#ring.length;
  }
}
