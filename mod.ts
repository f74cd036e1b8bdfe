/**
 * event-tool as a library: run the worker with your own handler, publish events, resolve the
 * same configuration the CLI does.
 *
 * ```ts
 * import { defaults, Worker } from "./mod.ts";
 *
 * const worker = new Worker({ ...defaults(), project: "local-project", emulatorHost: "localhost:8085" }, {
 *   handler: async (event, context) => {
 *     console.log(event.eventID, context.deliveryAttempt);
 *   },
 * });
 * worker.start();
 * Deno.addSignalListener("SIGTERM", () => void worker.stop());
 * await worker.done;
 * ```
 *
 * @module
 */
export { Worker, type WorkerOptions, type WorkerStats } from "./src/worker/worker.ts";
export type { SubscriberStats } from "./src/pubsub/subscriber/subscriber.ts";
export type { KeyStats } from "./src/worker/keys.ts";
export {
  compose,
  type Handler,
  type HandlerContext,
  HandlerTimeoutError,
  type Middleware,
  RedirectedError,
  RejectedError,
  RetryableError,
} from "./src/worker/handler.ts";
export { withTimeout } from "./src/worker/middleware/timeout.ts";
export { httpHandler, type HttpHandlerOptions } from "./src/worker/handlers/http.ts";
export {
  ACK_FAILED_REASONS,
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  DUPLICATE_REASONS,
  NACK_REASONS,
  type NackReason,
  type OutcomeCounts,
  type OutcomeKind,
  type OutcomeRecord,
  OUTCOMES,
  type Reason,
} from "./src/worker/outcome.ts";
export { publishEvents, type PublishOptions, type PublishReport } from "./src/pubsub/publisher.ts";
export { fakeEvent, generatePayloads, type Payload } from "./src/event/payload.ts";
export {
  BUILT_IN_EVENT_TYPE,
  decodeEvent,
  type DecodeResult,
  type EventBody,
  INVALID_REASONS,
  type InvalidReason,
  PAYMENT_METHOD_TYPES,
  type PaymentMethodCreated,
  type PaymentMethodType,
} from "./src/event/event.ts";
export {
  builtInContract,
  type EventContract,
  loadContract,
  resolveContract,
} from "./src/event/contract.ts";
export { type ConfigSources, defaults, resolveConfig } from "./src/config/resolve.ts";
export { type Config, type Setting, type SettingKey, SETTINGS } from "./src/config/settings.ts";
export type { Parser } from "./src/config/parse.ts";
