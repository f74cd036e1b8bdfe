/**
 * event-tool as a library: run the worker with your own handler, publish events, validate them
 * against a contract. A worker in ten lines (tests/package_test.ts runs these very lines from a
 * project outside the repository):
 *
 * ```ts
 * import { Worker } from "@event-tool/event-tool";
 *
 * const worker = new Worker({
 *   subscription: "payment-method-created-subscription",
 *   handler: async (event, context) => console.log(event.eventID, context.deliveryAttempt),
 * });
 * worker.start();
 * Deno.addSignalListener("SIGTERM", () => void worker.stop());
 * await worker.done;
 * ```
 *
 * Every option has a default (see {@linkcode WorkerOptions}); the emulator and project come from
 * `PUBSUB_EMULATOR_HOST` and `PUBSUB_PROJECT_ID` as for the CLI. Run it with
 * `--allow-net --allow-env --allow-read --allow-sys`.
 *
 * @module
 */
export {
  Worker,
  type WorkerCounters,
  type WorkerOptions,
  type WorkerStats,
} from "./src/worker/worker.ts";
export type { KeySource } from "./src/config/settings.ts";
export type { SubscriberStats } from "./src/pubsub/subscriber/subscriber.ts";
export type { KeyStats } from "./src/worker/key_scheduler.ts";
export { PAUSE_REASONS, type Paused, type PauseReason } from "./src/worker/pause.ts";
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
export {
  publishEvents,
  type PublishOptions,
  type PublishReport,
  type PublishTarget,
} from "./src/pubsub/publisher.ts";
export { fakeEvent, generatePayloads, type Payload } from "./src/event/payload.ts";
export {
  BUILT_IN_EVENT_TYPE,
  decodeEvent,
  type DecodeResult,
  type EventBody,
  type EventRules,
  INVALID_REASONS,
  type InvalidReason,
  PAYMENT_METHOD_TYPES,
  type PaymentMethodCreated,
  type PaymentMethodType,
} from "./src/event/event.ts";
export { builtInContract, type EventContract, loadContract } from "./src/event/contract.ts";
