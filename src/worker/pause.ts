/**
 * Pausing the worker's pulling, for one or more reasons at once: while any reason holds, the
 * subscriber takes no new message (its streams are held as when the lease window is full) and
 * every message already received runs as usual, so the work in flight finishes; /readyz fails and
 * `event_tool_paused{reason}` is 1. Pulling resumes once the last reason is lifted. The operator
 * pauses by hand (`Worker.pause()`, the console); the handler gate (middleware/gate.ts) pauses when
 * the handler service refuses every call, or a module handler lacks a permission.
 *
 * Messages that arrive while paused (already on their way) are held like any other: their leases
 * are extended, they run when a permit is free. A message is never nacked for a pause: a nack
 * counts a delivery attempt towards the subscription's dead-letter policy, and a paused worker
 * must not move its backlog to the dead-letter topic. Whatever waits at the gate is held up to
 * `--max-lease`, then given back (counted, as any expired lease).
 */
import { logger } from "../telemetry/log.ts";

/** Why pulling is paused (the `reason` label of `event_tool_paused`). */
export const PAUSE_REASONS = ["operator", "handler-refused", "handler-permission"] as const;
/** One of {@linkcode PAUSE_REASONS}. */
export type PauseReason = typeof PAUSE_REASONS[number];

/** One reason that holds pulling now. */
export interface Paused {
  /** What holds pulling. */
  readonly reason: PauseReason;
  /** Why, in words (for /readyz and the console). */
  readonly detail: string;
  /** When this reason began. */
  readonly since: Date;
}

const log = logger("worker");

/** The reasons that hold a worker's pulling now; tells `hold` when pulling must stop or may go. */
export class Pauses {
  readonly #active = new Map<PauseReason, Paused>();
  readonly #hold: (held: boolean) => void;

  /** `hold(true)` when the first reason begins, `hold(false)` when the last one ends. */
  constructor(hold: (held: boolean) => void) {
    this.#hold = hold;
  }

  /** Whether any reason holds pulling. */
  get held(): boolean {
    return this.#active.size > 0;
  }

  /** The reasons holding pulling now, oldest first. */
  get entries(): readonly Paused[] {
    return [...this.#active.values()];
  }

  /** Holds pulling for `reason`; false when it already did (its detail is updated). */
  add(reason: PauseReason, detail: string): boolean {
    const known = this.#active.get(reason);
    this.#active.set(reason, { reason, detail, since: known?.since ?? new Date() });
    if (known !== undefined) return false;
    log.info("Pulling paused ({reason}): {detail}; /readyz fails until it resumes", {
      reason,
      detail,
    });
    if (this.#active.size === 1) this.#hold(true);
    return true;
  }

  /** Lifts `reason`; false when it did not hold. Pulling resumes when none is left. */
  remove(reason: PauseReason): boolean {
    if (!this.#active.delete(reason)) return false;
    const left = this.#active.size;
    log.info("Pause lifted ({reason}); {state}", {
      reason,
      state: left === 0 ? "pulling resumed" : `still paused (${[...this.#active.keys()]})`,
    });
    if (left === 0) this.#hold(false);
    return true;
  }
}

/** `paused (reason since …: detail; …)`, as /readyz shows it; undefined when not paused. */
export function describePauses(paused: readonly Paused[]): string | undefined {
  if (paused.length === 0) return undefined;
  const each = paused.map((p) => `${p.reason} since ${p.since.toISOString()}: ${p.detail}`);
  return `paused (${each.join("; ")})`;
}
