/**
 * The console's recent outcomes: the last 1,000 deliveries that did not end acked (nacked,
 * dead-lettered, and any outcome added later other than a duplicate's ack), newest first, with
 * reason, detail, attempt and key; filtered by outcome and reason, found by event ID or message
 * ID. Under `--redact` the entries show what the log lines show (redact.ts's rules), and an
 * event is still found by its real ID.
 */
import type { LogRecord } from "@logtape/logtape";
import { redactor } from "../../telemetry/redact.ts";
import type { OutcomeRecord } from "../../worker/outcome.ts";

/** What the console keeps of one outcome. */
export interface OutcomeEntry {
  /** 1 for the first non-acked outcome since start, and so on. */
  seq: number;
  /** When it was recorded, epoch ms. */
  at: number;
  outcome: string;
  reason?: string;
  detail?: string;
  attempt: number;
  eventID: string | null;
  messageId: string;
  /** The event's key, when the record carries one. */
  key?: string;
}

/** A query of {@linkcode RecentOutcomes}. */
export interface OutcomeQuery {
  outcome?: string | undefined;
  reason?: string | undefined;
  /** An event ID or a message ID, exactly. */
  find?: string | undefined;
  /** At most this many, newest first. Default 200. */
  limit?: number | undefined;
}

/** How many outcomes are kept. */
export const RECENT_CAPACITY = 1000;
/** Longer details are cut to this many characters. */
const DETAIL_MAX = 1000;
/** Outcomes that count as acked: not kept. */
const ACKED = new Set(["acked", "duplicate"]);

/** What the console shows that `--redact` hashes in log lines. */
export interface Redactable {
  eventID: string | null;
  detail?: string;
  key?: string;
}

/** Applies the log's redaction (`--redact`) to an entry's event ID, key and detail. */
export function redacting<T extends Redactable>(key: string | undefined): (entry: T) => T {
  const redact = redactor(key);
  return (entry) => {
    const properties = { eventID: entry.eventID, detail: entry.detail, orderingKey: entry.key };
    const record = { category: [], level: "warning", message: [], rawMessage: "", properties };
    const redacted = redact({ ...record, timestamp: Date.now() } as unknown as LogRecord)
      .properties;
    return {
      ...entry,
      eventID: redacted.eventID as string | null,
      ...(entry.detail === undefined ? {} : { detail: redacted.detail as string }),
      ...(entry.key === undefined ? {} : { key: redacted.orderingKey as string }),
    };
  };
}

/** The last {@linkcode RECENT_CAPACITY} non-acked outcomes. */
export class RecentOutcomes {
  readonly #capacity: number;
  readonly #present: (entry: OutcomeEntry) => OutcomeEntry;
  /** Ring of entries with the event ID they really had (searched, never shown redacted). */
  readonly #ring: { entry: OutcomeEntry; eventID: string | null }[] = [];
  #total = 0;

  /** Keeps `capacity` outcomes; with `redact`, shows them as `--redact` logs them. */
  constructor(options: { capacity?: number; redact?: boolean; redactKey?: string } = {}) {
    this.#capacity = options.capacity ?? RECENT_CAPACITY;
    this.#present = options.redact ? redacting(options.redactKey) : (entry) => entry;
  }

  /** Non-acked outcomes seen since start (the page refreshes its list when this moves). */
  get total(): number {
    return this.#total;
  }

  /** Keeps `record` unless it was acked. */
  record(record: OutcomeRecord): void {
    if (ACKED.has(record.outcome)) return;
    const entry: OutcomeEntry = {
      seq: ++this.#total,
      at: Date.now(),
      outcome: record.outcome,
      attempt: record.deliveryAttempt,
      eventID: record.eventID,
      messageId: record.messageId,
      ...(record.reason === undefined ? {} : { reason: record.reason }),
      ...(record.detail === undefined ? {} : { detail: record.detail.slice(0, DETAIL_MAX) }),
      ...(record.orderingKey === undefined ? {} : { key: record.orderingKey }),
    };
    const kept = { entry: this.#present(entry), eventID: record.eventID };
    if (this.#ring.length < this.#capacity) this.#ring.push(kept);
    else this.#ring[(this.#total - 1) % this.#capacity] = kept;
  }

  /** The entries that match `query`, newest first, and how many matched of how many kept. */
  query(query: OutcomeQuery = {}): { matched: number; kept: number; entries: OutcomeEntry[] } {
    const limit = query.limit ?? 200;
    const find = query.find?.trim() || undefined;
    const entries: OutcomeEntry[] = [];
    let matched = 0;
    const n = this.#ring.length;
    for (let i = 0; i < n; i++) {
      // Newest first: the ring's slot of seq s is (s - 1) % capacity.
      const kept = this.#ring[(this.#total - 1 - i + this.#capacity * 2) % this.#capacity];
      if (kept === undefined) continue;
      const { entry } = kept;
      if (query.outcome && entry.outcome !== query.outcome) continue;
      if (query.reason && entry.reason !== query.reason) continue;
      if (find && kept.eventID !== find && entry.messageId !== find) continue;
      if (++matched <= limit) entries.push(entry);
    }
    return { matched, kept: n, entries };
  }
}
