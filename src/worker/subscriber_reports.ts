/**
 * The worker's words for what its subscriber reports (src/pubsub/subscriber/report.ts): one log
 * line each, at the level an operator needs it, naming the setting, endpoint or metric to look
 * at. The lines keep the `subscriber` category.
 */
import { SETTINGS } from "../config/settings.ts";
import type { SubscriberReport } from "../pubsub/subscriber/report.ts";
import { logger } from "../telemetry/log.ts";

const log = logger("subscriber");

type Kind = SubscriberReport["kind"];
type Of<K extends Kind> = Extract<SubscriberReport, { kind: K }>;

/** The line for each kind of report (a kind without one does not compile). */
const WORDS: { [K in Kind]: (report: Of<K>) => void } = {
  "stream-ended": ({ index, code, error, why, delayMs, lasting }) =>
    log[lasting ? "warning" : "debug"]("Stream {index} ended ({why}); reopening in {delayMs}ms", {
      index,
      code,
      error,
      why,
      delayMs,
    }),
  "subscription-lost": ({ subscription, code, reopens, retrySeconds }) =>
    log.error(
      "Subscription {subscription} is lost ({code} on {reopens} reopens in a row: deleted, or " +
        "the worker may no longer consume it); /healthz now fails so the orchestrator restarts " +
        "the worker; still retrying every {retrySeconds}s",
      { subscription, code, reopens, retrySeconds },
    ),
  "stream-quiet": ({ index, quietMs, reopens }) =>
    log[reopens === 1 ? "info" : "debug"](
      "Stream {index} delivered nothing for {seconds}s while the worker had room: reopened " +
        "(counted in event_tool_stream_watchdog_reopens_total)",
      { index, seconds: Math.round(quietMs / 1000) },
    ),
  "lease-expired": ({ messageId, maxLeaseMs }) =>
    log.warning(
      `Message {messageId} was held past ${SETTINGS.maxLease.flag} ({minutes} min): given back ` +
        "to Pub/Sub",
      { messageId, minutes: maxLeaseMs / 60_000 },
    ),
  "delivery-mode": ({ exactlyOnce, minLeaseSeconds }) =>
    log.info(
      exactlyOnce
        ? "The subscription delivers exactly once: leases of at least {seconds}s, and an event " +
          "is logged acked only once Pub/Sub confirmed its ack"
        : "The subscription no longer delivers exactly once",
      { seconds: minLeaseSeconds },
    ),
  "lease-lost": ({ messageId }) =>
    log.debug("Pub/Sub refused to extend the lease of message {messageId}: it comes back", {
      messageId,
    }),
  "receipts-refused": ({ count, reason, detail }) =>
    log.warning(
      "{count} messages dropped unhandled: Pub/Sub refused their receipt ({reason}: {detail}); " +
        "it delivers them again",
      { count, reason, detail },
    ),
  "acks-retrying": ({ count, what, error, delayMs }) =>
    log.debug("{count} {kind} failed for now ({error}); again in {delay}ms", {
      count,
      kind: what,
      error,
      delay: delayMs,
    }),
  // Per ack ID (exactly-once), each message's outcome says it; a whole call failing is news.
  "acks-failed": ({ count, what, error, perAckId }) =>
    log[perAckId ? "debug" : "warning"](
      "{count} {kind} failed ({error}): those messages come back",
      {
        count,
        kind: what,
        error,
      },
    ),
  "acks-unanswered": ({ count }) =>
    log.warning(
      "{unanswered} acks, nacks or deadline changes had no answer from Pub/Sub when the worker " +
        "stopped: their messages come back",
      { unanswered: count },
    ),
};

/** Logs `report` in the worker's words. */
export function logSubscriberReport(report: SubscriberReport): void {
  (WORDS[report.kind] as (report: SubscriberReport) => void)(report);
}
