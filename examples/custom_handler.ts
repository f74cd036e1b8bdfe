/**
 * A custom handler for `event-tool worker --handler examples/custom_handler.ts`: the default
 * export receives each valid event and its context. Resolve to ack; throw to have the event
 * redelivered (with the subscription's backoff) and dead-lettered after its last attempt.
 *
 * Handlers must be idempotent: Pub/Sub delivers at least once.
 */
import type { HandlerContext, PaymentMethodCreated } from "../mod.ts";

/** Seen payment methods, as a stand-in for your database. */
const seen = new Set<string>();

export default async function handle(
  event: PaymentMethodCreated,
  context: HandlerContext,
): Promise<void> {
  if (event.paymentMethodType === "bank_account" && context.deliveryAttempt === 1) {
    // Pretend the bank API is flaky on first tries: the worker nacks, Pub/Sub redelivers.
    throw new Error(`bank API busy for ${event.paymentMethodID}`);
  }
  // Long work should watch context.signal: it aborts when the handler timeout is reached.
  await new Promise((resolve) => setTimeout(resolve, 1));
  context.signal.throwIfAborted();
  seen.add(event.paymentMethodID); // idempotent: a second delivery changes nothing
  console.error(`stored ${event.paymentMethodType} ${event.paymentMethodID} (${seen.size} so far)`);
}
