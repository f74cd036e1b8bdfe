/**
 * The `eventType` attribute against the contract. The contract decides what an event is: a valid
 * event is handled as the contract's type (`ce-type`, `context.eventType`) whatever its label
 * says, and a label naming another type is counted (`event_tool_events_type_mismatch_total`)
 * and warned about once per label. It is not dead-lettered: the original system sets no
 * attribute at all, so the label cannot be what keeps types apart (the schema is), and a worker
 * started with the wrong `--event-type`, or one mislabelling producer, would otherwise move a
 * whole backlog to the dead-letter topic.
 */
import { logger } from "../telemetry/log.ts";

/** Distinct labels warned about at most (a bound on memory; all are still counted). */
const MAX_WARNED = 100;

const log = logger("worker");

/** Counts the deliveries whose `eventType` attribute disagrees with the contract. */
export class TypeLabels {
  readonly #warned = new Set<string>();
  /** Deliveries so far whose label named another type. */
  mismatches = 0;

  /** Checks one valid event's `label` (undefined: none) against the contract's `eventType`. */
  check(label: string | undefined, eventType: string): void {
    if (label === undefined || label === eventType) return;
    this.mismatches++;
    if (this.#warned.has(label) || this.#warned.size >= MAX_WARNED) return;
    this.#warned.add(label);
    log.warning(
      "Events labelled eventType={label} arrive at a worker whose contract is {eventType}: they " +
        "are valid {eventType} events and handled as such (the label is ignored, and counted in " +
        "event_tool_events_type_mismatch_total); if they are another type, consume them with " +
        "another subscription or filter",
      { label, eventType },
    );
  }
}
