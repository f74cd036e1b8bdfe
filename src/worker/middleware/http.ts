/**
 * `--handler-url`: deliver each event to an HTTP service as a CloudEvent (1.0, binary mode),
 * with the worker's flow control, retries and dead-lettering in front of it.
 *
 * | Answer | Outcome |
 * | --- | --- |
 * | 2xx | acked |
 * | 408, 429, 5xx, timeout, connection refused or reset | nacked: redelivered with the subscription's backoff (429 and 503 with `Retry-After`: the nack waits that long first, up to 60 s) |
 * | any other 4xx | dead-lettered, reason `rejected`, detail = status and the first 200 characters of the body |
 */
import { type Handler, type HandlerContext, RejectedError, RetryableError } from "../handler.ts";

/** Options for {@linkcode httpHandler}. */
export interface HttpHandlerOptions {
  /** Where events are POSTed. */
  url: URL;
  /** `ce-source`: `//pubsub.googleapis.com/projects/<project>/topics/<topic>`. */
  source: string;
  /** Extra request headers (`--handler-header`), e.g. `Authorization`. */
  headers?: readonly [string, string][];
  /** Told each answer's status class (`2xx` … `5xx`, or `error`) and duration. */
  observe?: (statusClass: string, ms: number) => void;
}

/** Longest `Retry-After` the worker waits before its nack; longer ones are capped. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** `Retry-After` (seconds or an HTTP date) in milliseconds, capped; undefined when absent. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

const RETRYABLE = new Set([408, 429]);

/** The CloudEvents binary-mode headers of `event`. */
export function cloudEventHeaders(
  event: { eventID: string; createdAt: string },
  context: HandlerContext,
  source: string,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "ce-specversion": "1.0",
    "ce-id": event.eventID,
    "ce-type": context.attributes?.eventType ?? "PaymentMethodCreated",
    "ce-source": source,
    "ce-time": event.createdAt,
    "ce-pubsubmessageid": context.messageId,
    "ce-deliveryattempt": String(context.deliveryAttempt),
  };
}

/** A handler that POSTs each event to `options.url`. */
export function httpHandler(options: HttpHandlerOptions): Handler {
  const extra = options.headers ?? [];
  return async (event, context) => {
    const headers = new Headers(cloudEventHeaders(event, context, options.source));
    for (const [name, value] of extra) headers.set(name, value);
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(options.url, {
        method: "POST",
        headers,
        body: JSON.stringify(event),
        signal: context.signal,
      });
    } catch (error) {
      options.observe?.("error", performance.now() - started);
      if (context.signal.aborted) throw context.signal.reason;
      const why = error instanceof Error ? error.message : String(error);
      throw new RetryableError(`the handler service could not be reached: ${why}`, undefined, {
        cause: error,
      });
    }
    const status = response.status;
    options.observe?.(`${Math.floor(status / 100)}xx`, performance.now() - started);
    if (status >= 200 && status < 300) {
      await response.body?.cancel();
      return;
    }
    if (status >= 500 || RETRYABLE.has(status)) {
      await response.body?.cancel();
      throw new RetryableError(
        `the handler service answered ${status}`,
        retryAfterMs(response.headers.get("retry-after")),
      );
    }
    const body = await response.text().catch((error) => `(body unreadable: ${error})`);
    throw new RejectedError(`the handler service answered ${status}: ${body.slice(0, 200)}`);
  };
}
