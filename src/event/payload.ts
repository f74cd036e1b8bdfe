/**
 * Events as bytes to publish: random valid ones (made one at a time, so a count does not bound
 * memory) or the lines of an NDJSON file, each validated before anything is published.
 */
import { UsageError } from "../base/errors.ts";
import type { EventContract } from "./contract.ts";
import type { PaymentMethodCreated } from "./event.ts";

/** An event ready to publish: its ID and its exact bytes. */
export interface Payload {
  /** The event's `eventID` ("" when its type has none). */
  eventID: string;
  /** The exact bytes published. */
  data: Uint8Array;
  /** The message's ordering key (`publish --ordering-key FIELD`), when it has one. */
  orderingKey?: string;
  /** Its line in the NDJSON input (`publish --file`), to name it if its publish fails. */
  line?: number;
}

/** The ordering key of `event` from its field `field`: the field's value as text. */
export function orderingKeyOf(event: unknown, field: string | undefined): { orderingKey?: string } {
  if (field === undefined) return {};
  const value = (event as Record<string, unknown> | null)?.[field];
  return value === undefined || value === null || value === ""
    ? {}
    : { orderingKey: String(value) };
}

const encoder = new TextEncoder();

/** A valid event with random IDs, created now. */
export function fakeEvent(): PaymentMethodCreated {
  return {
    eventID: crypto.randomUUID(),
    userID: crypto.randomUUID(),
    paymentMethodID: crypto.randomUUID(),
    paymentMethodType: Math.random() < 0.5 ? "card" : "bank_account",
    createdAt: new Date().toISOString(),
  };
}

/**
 * `count` random valid events, made one at a time as they are consumed, keyed by their field
 * `orderingKey` when given. With `users`, they belong to that many users in turn (user 1, 2, …,
 * 1, 2, …) and their `createdAt` rises by at least a millisecond from one event to the next, so
 * each user's events show their publish order.
 */
export function* generatePayloads(
  count: number,
  orderingKey?: string,
  users?: number,
): Generator<Payload> {
  const ids = users === undefined ? [] : Array.from({ length: users }, () => crypto.randomUUID());
  let createdAt = 0;
  for (let i = 0; i < count; i++) {
    const event = fakeEvent();
    if (ids.length > 0) {
      event.userID = ids[i % ids.length] as string;
      createdAt = Math.max(Date.now(), createdAt + 1);
      event.createdAt = new Date(createdAt).toISOString();
    }
    yield {
      eventID: event.eventID,
      data: encoder.encode(JSON.stringify(event)),
      ...orderingKeyOf(event, orderingKey),
    };
  }
}

/** `count` random valid events, all at once (for callers that need their IDs). */
export function randomPayloads(count: number): Payload[] {
  return Array.from(generatePayloads(count));
}

/** Pub/Sub's limit on a message (data and attributes). */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/**
 * NDJSON bytes as text, refusing invalid UTF-8 (which a lenient decoder would turn into U+FFFD
 * and publish) with a {@linkcode UsageError} naming `flag`, the source and the line.
 */
export function decodeNdjson(bytes: Uint8Array, source: string, flag: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    let start = 0;
    for (let line = 1;; line++) {
      const end = bytes.indexOf(0x0a, start);
      const slice = bytes.subarray(start, end < 0 ? bytes.length : end);
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(slice);
      } catch {
        throw new UsageError(
          `${flag} ${source} line ${line}: not valid UTF-8, expected UTF-8 text (nothing was ` +
            "published)",
        );
      }
      if (end < 0) throw new UsageError(`${flag} ${source}: not valid UTF-8`);
      start = end + 1;
    }
  }
}

/**
 * Parses NDJSON text into payloads, validating every line against `contract` before anything is
 * published; each line is published as it is written. Blank lines are skipped. Throws a
 * {@linkcode UsageError} naming `flag`, the source and the first bad line.
 */
export function parseNdjson(
  text: string,
  source: string,
  flag: string,
  contract: EventContract,
  orderingKey?: string,
): Payload[] {
  const payloads: Payload[] = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(
        `${flag} ${source} line ${index + 1}: not JSON, expected one event per line`,
      );
    }
    const size = encoder.encode(line).byteLength;
    if (size > MAX_MESSAGE_BYTES) {
      throw new UsageError(
        `${flag} ${source} line ${index + 1}: ${size} bytes, expected at most ` +
          `${MAX_MESSAGE_BYTES} (Pub/Sub's message limit)`,
      );
    }
    const problem = contract.validate(value);
    if (problem !== undefined) {
      throw new UsageError(
        `${flag} ${source} line ${index + 1}: ${problem} (${contract.eventType} from the ` +
          `${contract.source} schema)`,
      );
    }
    const id = (value as { eventID?: unknown }).eventID;
    payloads.push({
      eventID: typeof id === "string" ? id : "",
      data: encoder.encode(line),
      ...orderingKeyOf(value, orderingKey),
      line: index + 1,
    });
  }
  if (payloads.length === 0) {
    throw new UsageError(`${flag} ${source}: got no events, expected NDJSON`);
  }
  return payloads;
}

/** `count` random valid events of `keys` users, each keyed (ordering key) by its user. */
export function keyedPayloads(count: number, keys: number): Payload[] {
  return Array.from(generatePayloads(count, "userID", keys));
}
