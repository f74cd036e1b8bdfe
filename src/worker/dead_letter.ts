/**
 * What a dead letter carries besides the original bytes: the original attributes, then why it
 * was dead-lettered and where it came from. Pub/Sub limits attribute values to 1024 bytes.
 */
import type { Message } from "@google-cloud/pubsub";

const MAX_ATTRIBUTE_BYTES = 1024;

/** Why and from where, as the worker knows it. */
export interface DeadLetterCause {
  reason: string;
  detail: string;
  subscription: string;
}

/**
 * The attributes of the dead letter for `message`: its own attributes, then `reason`, `detail`
 * (truncated to fit), `messageId`, `subscription` and `deliveryAttempt`.
 */
export function deadLetterAttributes(
  message: Message,
  cause: DeadLetterCause,
): Record<string, string> {
  return {
    ...message.attributes,
    reason: cause.reason,
    detail: truncate(cause.detail),
    messageId: message.id,
    subscription: cause.subscription,
    deliveryAttempt: String(message.deliveryAttempt),
  };
}

/** `text` cut to the attribute limit, on a character boundary, with `...` when cut. */
export function truncate(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= MAX_ATTRIBUTE_BYTES) return text;
  return new TextDecoder().decode(bytes.subarray(0, MAX_ATTRIBUTE_BYTES - 3)).replace(
    /\uFFFD$/,
    "",
  ) +
    "...";
}
