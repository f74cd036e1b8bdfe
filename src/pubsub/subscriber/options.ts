/** What the subscriber (subscriber.ts) is given, tells, and counts. */
import type { AckTransport } from "./ack_batcher.ts";
import type { GiveUpReason, ReceivedMessage } from "./message.ts";
import type { SubscriberReport, SubscriptionUnusableError } from "./report.ts";

/** Options for the subscriber. */
export interface SubscriberOptions {
  /** Full subscription name: `projects/<p>/subscriptions/<s>`. */
  subscription: string;
  /** Streams to open. */
  streams: number;
  /** Messages held at most (the lease window). */
  window: number;
  /**
   * Messages waiting for an earlier one of their key held at most beyond the window (0 when the
   * work is not keyed). Each stream's server-side limit is its share of window + this.
   */
  maxWaiting: number;
  /** Data bytes held at most (each stream may still take one message of any size). */
  maxBytes: number;
  /** A message is given up (nacked) this long after its receipt. */
  maxLeaseMs: number;
  /** How acks leave: on the streams or as RPCs. */
  ackVia: AckTransport;
  /** A stream that delivers nothing this long while there is room is reopened. Default 60 s. */
  watchdogMs?: number;
}

/** What the subscriber tells its owner. */
export interface SubscriberListener {
  message(message: ReceivedMessage): void;
  /**
   * The subscriber gives `message` back on its own (held past the max lease, or still held at
   * close; `handedOver` false: it arrived as pulling stopped and was never handed over). The
   * listener settles it (nacks it, with its outcome); whatever it leaves unsettled is nacked.
   */
  giveUp?(message: ReceivedMessage, reason: GiveUpReason, handedOver: boolean): void;
  /** The subscription cannot be consumed (missing, or not ours) and never delivered anything. */
  fatal(error: SubscriptionUnusableError): void;
  /** What happened besides messages (stream ends, expired leases, failed acks…): the owner words
   * it (the subscriber logs nothing). */
  report(report: SubscriberReport): void;
}

/** Counters of the subscriber (metrics read them). */
export interface SubscriberStats {
  /** Messages held now: running, waiting for a permit, or held for a Retry-After. */
  leased: number;
  /** Of those, messages waiting for an earlier one of their key (beyond the window). */
  waiting: number;
  /** Their data bytes. */
  leasedBytes: number;
  /** Deadline extensions sent (one per message per extension). */
  extensions: number;
  /** Messages given up after the max lease. */
  expired: number;
  /** Ack or deadline calls with ack IDs that failed for good (their messages come back). */
  ackFailures: number;
  /** The subscription delivers exactly once (its responses say so). */
  exactlyOnce: boolean;
  /** Messages dropped unhandled: Pub/Sub refused their receipt (exactly-once). */
  receiptsRefused: number;
  /** Leases Pub/Sub refused to extend (exactly-once): their events come back. */
  leasesLost: number;
  /** Streams reopened. */
  reconnects: number;
  /** Streams reopened by the watchdog. */
  watchdogReopens: number;
  /** The ack deadline asked for now. */
  ackDeadlineSeconds: number;
}
