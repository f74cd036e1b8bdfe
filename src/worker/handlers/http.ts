/**
 * `--handler-url`: deliver each event to an HTTP service as a CloudEvent (1.0, binary mode),
 * with the worker's flow control, retries and dead-lettering in front of it. The body is the
 * message data exactly as published.
 *
 * | Answer | Outcome |
 * | --- | --- |
 * | 2xx | acked |
 * | 3xx (a redirect) | nacked, reason `redirected`: never followed, so no header or body goes to another URL; one warning names the `Location` |
 * | 408, 429, 5xx, timeout, connection refused or reset | nacked: redelivered with the subscription's backoff (429 and 503 with `Retry-After`: the nack waits that long first, up to 60 s) |
 * | 401, 403, 404, 407, or a status of `--retry-on` | the service refuses the worker (token, path, proxy), not the event: a `RetryableError` the handler gate (middleware/gate.ts) holds and tries again in place; never dead-lettered for this |
 * | any other 4xx | dead-lettered, reason `rejected`, detail = status and the first 200 characters of the body |
 *
 * URLs are logged without credentials or query; an error body is read up to
 * {@linkcode MAX_ERROR_BODY_BYTES}, never whole. The `ce-*` header values are percent-encoded as
 * the CloudEvents HTTP binding says (so a type or ID outside printable ASCII is sent, not refused),
 * and the `--handler-header` values are checked once, at start.
 */
import { messageOf } from "../../base/errors.ts";
import { safeUrl, scrubUrls } from "../../telemetry/redact.ts";
import { logger } from "../../telemetry/log.ts";
import {
  type Handler,
  type HandlerContext,
  RedirectedError,
  RejectedError,
  RetryableError,
} from "../handler.ts";

/** Options for {@linkcode httpHandler}. */
export interface HttpHandlerOptions {
  /** Where events are POSTed. */
  url: URL;
  /** `ce-source`: `//pubsub.googleapis.com/projects/<project>/topics/<topic>`. */
  source: string;
  /** Extra request headers (`--handler-header`), e.g. `Authorization`. */
  headers?: readonly [string, string][];
  /** 4xx statuses that mean the service refuses the worker, besides
   * {@linkcode REFUSED_STATUSES} (`--retry-on`). */
  retryOn?: readonly number[];
  /** Told each answer's status class (`2xx` … `5xx`, or `error`) and duration. */
  observe?: (statusClass: string, ms: number) => void;
}

/** Longest `Retry-After` the worker waits before its nack; longer ones are capped. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** The most bytes of an error answer's body the worker reads (the rest is discarded). */
export const MAX_ERROR_BODY_BYTES = 4096;
/** Characters of an error body quoted in the dead-letter detail. */
const QUOTED_BODY_CHARS = 200;

const log = logger("worker");

/** `Retry-After` (seconds or an HTTP date) in milliseconds, capped; undefined when absent. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

const RETRYABLE = new Set([408, 429]);
/** Answers that mean the service refuses the worker (authentication, routing, proxy), not the
 * event: retried in place by the handler gate, never dead-lettered. */
export const REFUSED_STATUSES = [401, 403, 404, 407] as const;

/** {@linkcode REFUSED_STATUSES} and those of `--retry-on`. */
export function refusedStatuses(retryOn: readonly number[] = []): ReadonlySet<number> {
  return new Set<number>([...REFUSED_STATUSES, ...retryOn]);
}

/** What a header value may hold as it is (CloudEvents HTTP binding, 3.1.3.2). */
const PLAIN_HEADER = /^[\x21\x23\x24\x26-\x7E]*$/;
const encoder = new TextEncoder();

/**
 * `value` as a CloudEvents header value: space, `"`, `%` and anything outside printable ASCII
 * percent-encoded as UTF-8 bytes, as the CloudEvents HTTP binding requires.
 */
export function ceHeaderValue(value: string): string {
  if (PLAIN_HEADER.test(value)) return value;
  let out = "";
  for (const char of value) {
    if (PLAIN_HEADER.test(char)) out += char;
    else {
      for (const byte of encoder.encode(char)) {
        out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
      }
    }
  }
  return out;
}

/**
 * The CloudEvents binary-mode headers of `event`: `ce-id` is its `eventID` (else the message
 * ID), `ce-type` the contract's type, `ce-time` its `createdAt` (else the message's publish time:
 * the original system's events have none); values percent-encoded as the binding requires.
 */
export function cloudEventHeaders(
  event: { readonly eventID?: unknown; readonly createdAt?: unknown },
  context: HandlerContext,
  source: string,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "ce-specversion": "1.0",
    "ce-id": typeof event.eventID === "string" ? ceHeaderValue(event.eventID) : context.messageId,
    "ce-type": ceHeaderValue(context.eventType),
    "ce-source": ceHeaderValue(source),
    "ce-time": typeof event.createdAt === "string"
      ? ceHeaderValue(event.createdAt)
      : context.publishTime.toISOString(),
    "ce-pubsubmessageid": context.messageId,
    "ce-deliveryattempt": String(context.deliveryAttempt),
    // CloudEvents' partitioning extension: the key the worker keeps the event's order by.
    ...(context.orderingKey === undefined
      ? {}
      : { "ce-partitionkey": ceHeaderValue(context.orderingKey) }),
  };
}

/** Reads at most `maxBytes` of `response`'s body as text and discards the rest. */
export async function readBodyPrefix(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, maxBytes - bytes));
      bytes += Math.min(value.byteLength, maxBytes - bytes);
    }
  } finally {
    await reader.cancel().catch(() => {}); // the rest is not wanted; a closed body is fine
  }
  const all = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** A handler that POSTs each event to `options.url`. */
export function httpHandler(options: HttpHandlerOptions): Handler {
  const extra = options.headers ?? [];
  const target = safeUrl(options.url);
  const refused = refusedStatuses(options.retryOn);
  const warnedLocations = new Set<string>();
  checkHeaders(extra);
  return async (event, context) => {
    const headers = new Headers(cloudEventHeaders(event, context, options.source));
    for (const [name, value] of extra) headers.set(name, value);
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(options.url, {
        method: "POST",
        headers,
        // The message data exactly as published: every field, every byte (binary mode).
        body: context.data as Uint8Array<ArrayBuffer>,
        signal: context.signal,
        // A redirect is never followed: fetch would turn the POST into a GET (301/302/303) or
        // send the body and the headers (API keys) to wherever the Location points.
        redirect: "manual",
      });
    } catch (error) {
      options.observe?.("error", performance.now() - started);
      if (context.signal.aborted) throw context.signal.reason;
      const why = scrubUrls(messageOf(error));
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
    if (status >= 300 && status < 400) {
      await response.body?.cancel();
      const raw = response.headers.get("location");
      const location = raw === null ? "(no Location)" : safeUrl(new URL(raw, options.url));
      if (!warnedLocations.has(location)) {
        warnedLocations.add(location);
        log.warning(
          "The handler service at {url} answered {status} redirecting to {location}: redirects " +
            "are not followed, so these events are nacked (set --handler-url to the final URL)",
          { url: target, status, location },
        );
      }
      throw new RedirectedError(
        `the handler service answered ${status} redirecting to ${location} (not followed)`,
        location,
      );
    }
    if (refused.has(status)) {
      throw new RetryableError(
        `the handler service at ${target} answered ${status}${await quotedBody(response)}`,
        undefined,
        { status },
      );
    }
    if (status >= 500 || RETRYABLE.has(status)) {
      await response.body?.cancel();
      throw new RetryableError(
        `the handler service answered ${status}`,
        retryAfterMs(response.headers.get("retry-after")),
        { status },
      );
    }
    throw new RejectedError(`the handler service answered ${status}${await quotedBody(response)}`);
  };
}

/** `: ` and the first characters of an error answer's body ("" when it has none). */
async function quotedBody(response: Response): Promise<string> {
  const body = await readBodyPrefix(response, MAX_ERROR_BODY_BYTES)
    .catch((error) => `(body unreadable: ${error})`);
  return `: ${body.slice(0, QUOTED_BODY_CHARS)}`;
}

/**
 * Checks the extra headers once, at start: a value `fetch` cannot send (a character beyond
 * Latin-1) would otherwise fail every event. The error names the header, never its value.
 */
function checkHeaders(headers: readonly [string, string][]): void {
  for (const [name, value] of headers) {
    try {
      new Headers([[name, value]]);
    } catch {
      throw new TypeError(
        `header ${JSON.stringify(name)}: its value cannot be sent in an HTTP header (a ` +
          "character beyond Latin-1; the value is not shown)",
      );
    }
  }
}
