/** A handler context for unit tests of handlers and middleware. */
import type { HandlerContext } from "../../src/worker/handler.ts";

/** A context for a first delivery of message "1", with `overrides` applied. */
export function handlerContext(overrides: Partial<HandlerContext> = {}): HandlerContext {
  return {
    signal: new AbortController().signal,
    messageId: "1",
    deliveryAttempt: 1,
    attributes: {},
    data: new Uint8Array(),
    publishTime: new Date(0),
    eventType: "PaymentMethodCreated",
    ...overrides,
  };
}
