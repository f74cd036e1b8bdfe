/**
 * What the subscriber tells its owner besides messages: typed reports and one typed error. The
 * subscriber logs nothing and names no flag, endpoint, command or metric; its owner (the worker's
 * session) chooses the words and the level, and a test can assert what happened.
 */
import type { AckFailure } from "./ack_result.ts";

/** What an Acknowledge or ModifyAckDeadline request carried. */
export const ACK_REQUEST_KINDS = ["acks", "nacks", "deadline changes"] as const;
/** One of {@linkcode ACK_REQUEST_KINDS}. */
export type AckRequestKind = typeof ACK_REQUEST_KINDS[number];

/** One thing the subscriber reports (`kind` tells which). */
export type SubscriberReport =
  | StreamEnded
  | SubscriptionLost
  | StreamQuiet
  | LeaseExpired
  | DeliveryModeChanged
  | LeaseLost
  | ReceiptsRefused
  | AcksRetrying
  | AcksFailed
  | AcksUnanswered;

/** A stream ended with an error and is reopened after `delayMs` (planned ends are not told). */
export interface StreamEnded {
  readonly kind: "stream-ended";
  readonly index: number;
  /** gRPC status code. */
  readonly code: number;
  readonly error: Error | undefined;
  /** The error's message, or the code in words. */
  readonly why: string;
  readonly delayMs: number;
  /** A code that reopening may not cure (NOT_FOUND, PERMISSION_DENIED, …), after start. */
  readonly lasting: boolean;
}

/**
 * The subscription counts as lost: `reopens` reopens in a row failed with `code` (deleted, or
 * the consumer's permission revoked). Told once; the streams keep retrying every
 * `retrySeconds` at most, and {@linkcode SubscriberReport} says nothing more until a message
 * arrives again.
 */
export interface SubscriptionLost {
  readonly kind: "subscription-lost";
  /** The subscription's short name. */
  readonly subscription: string;
  /** `NOT_FOUND` or `PERMISSION_DENIED`. */
  readonly code: string;
  readonly reopens: number;
  readonly retrySeconds: number;
}

/** The watchdog reopened stream `index`: it delivered nothing for `quietMs` while there was room. */
export interface StreamQuiet {
  readonly kind: "stream-quiet";
  readonly index: number;
  readonly quietMs: number;
  /** Streams the watchdog reopened so far, this one included. */
  readonly reopens: number;
}

/** A message was held past the max lease: given back (its owner settles it). */
export interface LeaseExpired {
  readonly kind: "lease-expired";
  readonly messageId: string;
  readonly maxLeaseMs: number;
}

/** The subscription's responses now say it delivers exactly once (or no longer). */
export interface DeliveryModeChanged {
  readonly kind: "delivery-mode";
  readonly exactlyOnce: boolean;
  /** The shortest lease asked for on exactly-once. */
  readonly minLeaseSeconds: number;
}

/** Pub/Sub refused to extend a lease (exactly-once): its message comes back. */
export interface LeaseLost {
  readonly kind: "lease-lost";
  readonly messageId: string;
}

/** Pub/Sub refused the receipt of `count` messages (exactly-once): dropped unhandled. */
export interface ReceiptsRefused {
  readonly kind: "receipts-refused";
  readonly count: number;
  readonly reason: AckFailure;
  readonly detail: string;
}

/** A call failed transiently for `count` ack IDs: sent again after `delayMs`. */
export interface AcksRetrying {
  readonly kind: "acks-retrying";
  readonly count: number;
  readonly what: AckRequestKind;
  readonly error: unknown;
  readonly delayMs: number;
}

/** A call failed for good for `count` ack IDs: their messages come back. */
export interface AcksFailed {
  readonly kind: "acks-failed";
  readonly count: number;
  readonly what: AckRequestKind;
  readonly error: unknown;
  /** Pub/Sub answered per ack ID (exactly-once): each message's outcome says it. */
  readonly perAckId: boolean;
}

/** At close, `count` acks, nacks or deadline changes had no answer: their messages come back. */
export interface AcksUnanswered {
  readonly kind: "acks-unanswered";
  readonly count: number;
}

/** Hears the subscriber's reports. */
export type Report = (report: SubscriberReport) => void;

/**
 * The subscription cannot be consumed and never delivered anything: a stream ended at start
 * with a code reopening cannot cure (it is missing, or the consumer may not read it).
 */
export class SubscriptionUnusableError extends Error {
  /** `subscription` (its short name) refused with gRPC `code`: `detail`. */
  constructor(readonly subscription: string, readonly code: number, readonly detail: string) {
    super(`the subscription ${subscription} cannot be consumed (${detail})`);
    this.name = "SubscriptionUnusableError";
  }
}
