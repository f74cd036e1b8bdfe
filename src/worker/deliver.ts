/**
 * One message through the worker: the pipeline decides its outcome, the settler carries it out,
 * inside a trace span when tracing is on. Called by the Worker inside a pool permit.
 */
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";
import type { Span } from "@opentelemetry/api";
import { inSpan, tracing } from "../telemetry/tracing.ts";
import type { Abandoned } from "./abandoned.ts";
import type { Handler } from "./handler.ts";
import type { KeyedEnd } from "./keys.ts";
import { processDelivery, type ProcessOptions } from "./pipeline.ts";
import type { Settler } from "./settle.ts";

/** What every delivery shares. */
export interface DeliverContext {
  readonly subscription: string;
  readonly handler: Handler;
  readonly options: ProcessOptions;
  readonly settler: Settler;
  readonly abandoned: Abandoned;
}

/**
 * Decides and settles `message` (its duration counts from its `receivedAt`). A handler call that
 * timed out is settled (nacked) at once, but this resolves, and so gives its pool permit back,
 * only when the call really ends.
 */
export function deliver(
  message: ReceivedMessage,
  context: DeliverContext,
): Promise<KeyedEnd> {
  // Given back while it waited for a permit or its key (held past --max-lease, logged there):
  // Pub/Sub delivers it again, so it is not handled now, and its key goes on only after it.
  if (message.settled) return Promise.resolve("nacked");
  // Without tracing, no span, attributes or closures: this runs once per event.
  if (!tracing()) return decideAndSettle(message, context, undefined);
  const attributes = () => ({
    "messaging.system": "gcp_pubsub",
    "messaging.destination.subscription.name": context.subscription,
    "messaging.message.id": message.id,
    "messaging.gcp_pubsub.message.delivery_attempt": message.deliveryAttempt,
  });
  return inSpan(
    "event-tool process",
    attributes,
    (span) => decideAndSettle(message, context, span),
  );
}

async function decideAndSettle(
  message: ReceivedMessage,
  context: DeliverContext,
  span: Span | undefined,
): Promise<KeyedEnd> {
  // The message is the delivery: its publish time is made only if the handler reads it.
  const outcome = await processDelivery(message, context.handler, context.options);
  span?.setAttribute("event_tool.outcome", outcome.action);
  if (outcome.eventID) span?.setAttribute("event_tool.event_id", outcome.eventID);
  await context.settler.settle(message, outcome);
  if ("abandoned" in outcome && outcome.abandoned) {
    await context.abandoned.hold(outcome.abandoned);
  }
  return outcome.action === "nack" ? "nacked" : "done";
}
