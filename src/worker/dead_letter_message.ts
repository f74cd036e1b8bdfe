/**
 * The dead letter for a message: its exact bytes, its own attributes, then why it was
 * dead-lettered and where it came from, always within Pub/Sub's limits (100 attributes, keys of
 * 256 bytes, values of 1024 bytes, 10 MB a message). An original attribute whose name the
 * worker uses is kept under the `original.` prefix; one that cannot fit is dropped and counted.
 */
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";

/** Pub/Sub's limits on a published message. */
export const PUBSUB_LIMITS = {
  attributes: 100,
  keyBytes: 256,
  valueBytes: 1024,
  messageBytes: 10_000_000,
} as const;

/** The attributes the worker adds, in this order. */
export const DEAD_LETTER_ATTRIBUTES = [
  "reason",
  "detail",
  "messageId",
  "subscription",
  "deliveryAttempt",
] as const;
/** Prefix of an original attribute whose name the worker uses. */
export const ORIGINAL_PREFIX = "original.";
/** Counts original attributes that could not be kept (present only when some were dropped). */
export const DROPPED_ATTRIBUTE = "droppedAttributes";

/** Why and from where, as the worker knows it. */
export interface DeadLetterCause {
  reason: string;
  detail: string;
  subscription: string;
}

/** The dead letter would exceed Pub/Sub's message size: it can never be published. */
export class DeadLetterTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(
      `the dead letter would be ${bytes} bytes, over Pub/Sub's ${PUBSUB_LIMITS.messageBytes}-byte ` +
        "limit; left to the subscription's dead-letter policy",
    );
    this.name = "DeadLetterTooLargeError";
  }
}

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).length;

/**
 * The attributes of the dead letter for `message`: what the worker adds (`reason`, `detail`
 * truncated to fit, `messageId`, `subscription`, `deliveryAttempt`) and as many original
 * attributes as fit.
 */
export function deadLetterAttributes(
  message: Pick<ReceivedMessage, "id" | "deliveryAttempt" | "attributes">,
  cause: DeadLetterCause,
): Record<string, string> {
  const ours: Record<string, string> = {
    reason: cause.reason,
    detail: truncate(cause.detail),
    messageId: message.id,
    subscription: cause.subscription,
    deliveryAttempt: String(message.deliveryAttempt),
  };
  const kept: Record<string, string> = {};
  let dropped = 0;
  const room = PUBSUB_LIMITS.attributes - DEAD_LETTER_ATTRIBUTES.length - 1; // 1 for the count
  for (const [key, value] of Object.entries(message.attributes ?? {})) {
    const name = key in ours ? ORIGINAL_PREFIX + key : key;
    if (Object.keys(kept).length >= room || bytes(name) > PUBSUB_LIMITS.keyBytes) dropped++;
    else kept[name] = value;
  }
  return { ...kept, ...ours, ...(dropped > 0 ? { [DROPPED_ATTRIBUTE]: String(dropped) } : {}) };
}

/** The size Pub/Sub counts for a message: its data and every attribute's key and value. */
export function messageBytes(data: Uint8Array, attributes: Record<string, string>): number {
  let total = data.byteLength;
  for (const [key, value] of Object.entries(attributes)) total += bytes(key) + bytes(value);
  return total;
}

/** The dead letter to publish for `message`; throws {@linkcode DeadLetterTooLargeError} when it
 * cannot fit in a Pub/Sub message. */
export function deadLetter(
  message: Pick<ReceivedMessage, "id" | "deliveryAttempt" | "attributes" | "data">,
  cause: DeadLetterCause,
): { data: Uint8Array; attributes: Record<string, string> } {
  const attributes = deadLetterAttributes(message, cause);
  const size = messageBytes(message.data, attributes);
  if (size > PUBSUB_LIMITS.messageBytes) throw new DeadLetterTooLargeError(size);
  return { data: message.data, attributes };
}

/** `text` cut to the attribute limit, on a character boundary, with `...` when cut. */
export function truncate(text: string): string {
  const encoded = encoder.encode(text);
  if (encoded.length <= PUBSUB_LIMITS.valueBytes) return text;
  return new TextDecoder().decode(encoded.subarray(0, PUBSUB_LIMITS.valueBytes - 3))
    .replace(/\uFFFD$/, "") + "...";
}

/** Attributes Pub/Sub adds when its own dead-letter policy forwards a message. */
export const FORWARDED_PREFIX = "CloudPubSubDeadLetterSource";

/**
 * The attributes the message had before it was dead-lettered: the worker's own and Pub/Sub's
 * forwarding attributes removed, `original.` ones restored (for `dead-letters requeue`).
 */
export function originalAttributes(
  attributes: Readonly<Record<string, string>>,
): Record<string, string> {
  const ours = new Set<string>([...DEAD_LETTER_ATTRIBUTES, DROPPED_ATTRIBUTE]);
  const restored: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (ours.has(key) || key.startsWith(FORWARDED_PREFIX)) continue;
    restored[key.startsWith(ORIGINAL_PREFIX) ? key.slice(ORIGINAL_PREFIX.length) : key] = value;
  }
  return restored;
}
