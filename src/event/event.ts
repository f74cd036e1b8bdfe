/**
 * Events on the wire: the `PaymentMethodCreated` type (field names shared with the original Go
 * system), the message attributes, and a decoder that keeps every field and says precisely what
 * is wrong (the rules are the contract's: contract.ts).
 */
import { messageOf } from "../base/errors.ts";

/** Message attribute naming the event type. */
export const EVENT_TYPE_ATTRIBUTE = "eventType";
/** Message attribute carrying the publish time in epoch milliseconds (for publish→ack latency). */
export const PUBLISHED_AT_ATTRIBUTE = "publishedAt";

/** The built-in event type (CloudEvent `type`, `eventType` attribute). */
export const BUILT_IN_EVENT_TYPE = "PaymentMethodCreated";
/** Payment method types the built-in contract knows; any other string is handled and counted. */
export const PAYMENT_METHOD_TYPES = ["card", "bank_account"] as const;
/** A payment method type the built-in contract knows. */
export type PaymentMethodType = typeof PAYMENT_METHOD_TYPES[number];

/**
 * A `PaymentMethodCreated` event as it travels on the topic, every field kept (the original Go
 * system publishes the first four; event-tool's publish adds `createdAt`). Its schema is
 * schemas/payment_method_created.schema.json.
 */
export interface PaymentMethodCreated {
  /** The event's own ID (a UUID): the key for idempotent handling. */
  eventID: string;
  /** The user who created the payment method (a UUID). */
  userID: string;
  /** The payment method (a UUID). */
  paymentMethodID: string;
  /** `card` or `bank_account` (others are handled, and counted). */
  paymentMethodType: PaymentMethodType | (string & Record<never, never>);
  /** RFC 3339 date-time with offset, e.g. `2026-11-26T16:46:18.000Z`; absent from the original's events. */
  createdAt?: string;
  /** Whatever else the producer put in the event: kept and handed on. */
  [field: string]: unknown;
}

/**
 * What the decoder needs of a contract: its rules (contract.ts's `EventContract` has them). Named
 * here so that the contract depends on the event and not the other way round.
 */
export interface EventRules {
  /** Undefined when `value` satisfies the rules, else the first problem in words. */
  validate(value: unknown): string | undefined;
}

/** A decoded event: the parsed JSON object with every field, as the contract accepted it. */
export type EventBody = Readonly<Record<string, unknown>>;

/** Why a payload is not a valid event; also the dead-letter `reason` attribute. */
export const INVALID_REASONS = ["invalid-encoding", "invalid-json", "invalid-event"] as const;
/** One of {@linkcode INVALID_REASONS}. */
export type InvalidReason = typeof INVALID_REASONS[number];

/** The outcome of {@linkcode decodeEvent}. */
export type DecodeResult =
  | {
    ok: true;
    event: EventBody;
    /** The event's `eventID` when it is a string, else undefined (the message ID stands in). */
    eventID: string | undefined;
  }
  | {
    ok: false;
    reason: InvalidReason;
    detail: string;
    /** The payload's `eventID` when it parsed and has a string one (cut to 100 characters). */
    eventID?: string;
  };

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** Replaces what is not UTF-8 with U+FFFD; a quarter of the fatal decoder's cost in Deno. */
const utf8Lenient = new TextDecoder("utf-8");

/**
 * `data` as UTF-8 text, or undefined when it is not UTF-8. The lenient decoder's text is the
 * answer unless it holds a U+FFFD, which a valid payload may carry too: only then does the strict
 * decoder decide.
 */
function utf8Text(data: Uint8Array): string | undefined {
  const text = utf8Lenient.decode(data);
  if (!text.includes("\uFFFD")) return text;
  try {
    return utf8.decode(data);
  } catch {
    return undefined;
  }
}

/**
 * The `eventID` of an event's bytes when they are JSON with one, without validating anything
 * else: for the lines about a message that was never decoded (given back at a stop, dead letters).
 */
export function eventIdOf(data: Uint8Array): string | undefined {
  try {
    return idOf(JSON.parse(new TextDecoder().decode(data))) || undefined;
  } catch {
    return undefined; // not JSON: no ID to name
  }
}

/**
 * What JSON.parse said, without the payload snippet V8 quotes (`…, "{"card": 4111…" is not valid
 * JSON`): its inner quotes would defeat --redact, and the dead-letter copy keeps the body anyway.
 */
export function jsonProblem(error: unknown): string {
  const message = messageOf(error);
  return message.replace(/,? ".*"(\.\.\.)? is not valid JSON$/s, "").trim() || "not valid JSON";
}

/** The `eventID` of a parsed value, when it is a string (cut to 100 characters). */
function idOf(value: unknown): string | undefined {
  const id = (value as { eventID?: unknown } | null)?.eventID;
  return typeof id === "string" ? id.slice(0, 100) : undefined;
}

/**
 * Decodes a message body: UTF-8, then JSON, then the contract's `rules`. Never throws. The event keeps every
 * field of the payload.
 */
export function decodeEvent(data: Uint8Array, rules: EventRules): DecodeResult {
  const text = utf8Text(data);
  if (text === undefined) {
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
  const problem = rules.validate(value);
  if (problem !== undefined) {
    const id = idOf(value);
    return {
      ok: false,
      reason: "invalid-event",
      detail: problem,
      ...(id === undefined ? {} : { eventID: id }),
    };
  }
  const eventID = (value as { eventID?: unknown }).eventID;
  return {
    ok: true,
    event: value as EventBody,
    eventID: typeof eventID === "string" ? eventID : undefined,
  };
}
