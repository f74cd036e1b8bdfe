/**
 * A module handler for another event type: `OrderPlaced`, described by
 * examples/order_placed.schema.json.
 *
 *   deno task worker --schema examples/order_placed.schema.json --handler examples/order_handler.ts
 *   deno task publish --schema examples/order_placed.schema.json --file examples/order_placed.ndjson
 *
 * The worker validates every event against the schema before the handler sees it (an invalid
 * one is dead-lettered `invalid-event` with the JSON path in `detail`), so the handler can rely
 * on the fields the schema requires. The event keeps every field, those the schema does not name
 * included; `context.data` holds the exact bytes published.
 */
import type { Handler } from "../mod.ts";

/** The event, as examples/order_placed.schema.json describes it. */
export interface OrderPlaced {
  eventID: string;
  orderID: string;
  customerID: string;
  items: { sku: string; quantity: number }[];
  total: { amount: number; currency: string };
  placedAt?: string;
  [field: string]: unknown;
}

const handle: Handler<OrderPlaced> = (order, context) => {
  const units = order.items.reduce((sum, item) => sum + item.quantity, 0);
  console.error(
    `${context.eventType} ${order.orderID}: ${units} units, ${order.total.amount} ` +
      `${order.total.currency} (${context.data.byteLength} bytes)`,
  );
  return Promise.resolve();
};
export default handle;
