/**
 * The `PaymentMethodCreated` event: its wire form (JSON, field names shared with the original Go
 * system), a decoder that says precisely what is wrong, and a generator of valid random events.
 */

/** Message attribute naming the event type. */
export const EVENT_TYPE_ATTRIBUTE = "eventType";
/** Message attribute carrying the publish time in epoch milliseconds (for publish→ack latency). */
export const PUBLISHED_AT_ATTRIBUTE = "publishedAt";

/** Payment method types an event may carry. */
export const PAYMENT_METHOD_TYPES = ["card", "bank_account"] as const;
/** A payment method type. */
export type PaymentMethodType = typeof PAYMENT_METHOD_TYPES[number];

/** A `PaymentMethodCreated` event as it travels on the topic. */
export interface PaymentMethodCreated {
  /** The event's own ID (a UUID): the key for idempotent handling. */
  eventID: string;
  /** The user who created the payment method (a UUID). */
  userID: string;
  /** The payment method (a UUID). */
  paymentMethodID: string;
  /** `card` or `bank_account`. */
  paymentMethodType: PaymentMethodType;
  /** ISO-8601 date-time with offset, e.g. `2026-11-26T16:46:18.000Z`. */
  createdAt: string;
}

/** Why a payload is not a valid event; also the dead-letter `reason` attribute. */
export const INVALID_REASONS = ["invalid-encoding", "invalid-json", "invalid-event"] as const;
/** One of {@linkcode INVALID_REASONS}. */
export type InvalidReason = typeof INVALID_REASONS[number];

/** The outcome of {@linkcode decodeEvent}. */
export type DecodeResult =
  | { ok: true; event: PaymentMethodCreated }
  | {
    ok: false;
    reason: InvalidReason;
    detail: string;
    /** The payload's `eventID` when it parsed and has a string one (cut to 100 characters). */
    eventID?: string;
  };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const UUID_FIELDS = ["eventID", "userID", "paymentMethodID"] as const;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.slice(0, 80));
  // Quoted like strings, so that --redact hashes a number that is a card number, say.
  return typeof value === "object" ? "an object" : `${typeof value} "${String(value)}"`;
}

/** Checks a parsed JSON value; returns the first problem as `field: expected …, got …`. */
export function validateEvent(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `expected a JSON object, got ${describe(value)}`;
  }
  const record = value as Record<string, unknown>;
  for (const field of UUID_FIELDS) {
    const v = record[field];
    if (typeof v !== "string" || !UUID.test(v)) {
      return `${field}: expected a UUID, got ${v === undefined ? "nothing" : describe(v)}`;
    }
  }
  const type = record.paymentMethodType;
  if (!(PAYMENT_METHOD_TYPES as readonly unknown[]).includes(type)) {
    return `paymentMethodType: expected one of ${PAYMENT_METHOD_TYPES.join(", ")}, got ${
      type === undefined ? "nothing" : describe(type)
    }`;
  }
  const createdAt = record.createdAt;
  if (
    typeof createdAt !== "string" || !ISO_DATE_TIME.test(createdAt) ||
    Number.isNaN(Date.parse(createdAt))
  ) {
    return `createdAt: expected an ISO-8601 date-time such as 2026-01-31T12:00:00Z, got ${
      createdAt === undefined ? "nothing" : describe(createdAt)
    }`;
  }
  return undefined;
}

/**
 * What JSON.parse said, without the payload snippet V8 quotes (`…, "{"card": 4111…" is not valid
 * JSON`): its inner quotes would defeat --redact, and the dead-letter copy keeps the body anyway.
 */
export function jsonProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/,? ".*"(\.\.\.)? is not valid JSON$/s, "").trim() || "not valid JSON";
}

/** Decodes a message body: UTF-8, then JSON, then the event's fields. Never throws. */
export function decodeEvent(data: Uint8Array): DecodeResult {
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return { ok: false, reason: "invalid-encoding", detail: "body is not valid UTF-8" };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: "invalid-json",
      detail: `body is not JSON (${jsonProblem(error)})`,
    };
  }
  const problem = validateEvent(value);
  if (problem !== undefined) {
    const id = (value as { eventID?: unknown } | null)?.eventID;
    return {
      ok: false,
      reason: "invalid-event",
      detail: problem,
      ...(typeof id === "string" ? { eventID: id.slice(0, 100) } : {}),
    };
  }
  const v = value as PaymentMethodCreated;
  // Keep only the known fields, so what is handled is exactly what was validated.
  return {
    ok: true,
    event: {
      eventID: v.eventID,
      userID: v.userID,
      paymentMethodID: v.paymentMethodID,
      paymentMethodType: v.paymentMethodType,
      createdAt: v.createdAt,
    },
  };
}
