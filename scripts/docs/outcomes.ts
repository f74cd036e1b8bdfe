/**
 * docs/outcomes.md, rendered from the `as const` lists of outcome.ts (the same lists give the log
 * fields and the metric labels), so the reasons in the docs never drift from the code (`deno task
 * docs` rewrites it; tests/docs_test.ts fails when it is stale). A reason added to a list without
 * a meaning here does not compile.
 */
import {
  ACK_FAILED_REASONS,
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  DUPLICATE_REASONS,
  type DuplicateReason,
  NACK_REASONS,
  type NackReason,
  type OutcomeKind,
  OUTCOMES,
} from "../../src/worker/outcome.ts";
import { PAUSE_REASONS, type PauseReason } from "../../src/worker/pause.ts";

const OUTCOME_MEANINGS: Record<OutcomeKind, string> = {
  acked: "handled; acked after its outcome line was written (on an exactly-once subscription: " +
    "written once Pub/Sub confirmed the ack)",
  duplicate: "already handled by this worker (dedupe window): acked without handling again",
  nacked: "given back to Pub/Sub, which delivers it again after the retry backoff",
  "dead-lettered": "copied to the dead-letter topic byte for byte (with `reason` and `detail`), " +
    "then acked",
  "ack-failed":
    "exactly-once subscriptions only: handled (or a duplicate, or dead-lettered), but " +
    "Pub/Sub did not confirm the ack; the event comes back and, handled here already, is acked " +
    "as a duplicate",
};

const NACK_MEANINGS: Record<NackReason, string> = {
  "handler-failed": "the handler threw or timed out (a keyed event only once its `--key-retries` " +
    "retries in place are spent; dead-lettered `max-attempts` instead once the handler has " +
    "failed that many runs of it)",
  redirected: "the HTTP service answered a redirect, which is never followed",
  "key-failed": "an earlier event of the same ordering key went back to Pub/Sub (its retries in " +
    "place spent, or held past `--max-lease`): given back unhandled, as Pub/Sub delivers the key " +
    "again from that event on; never counted as a failed run (`--key-from` keys wait instead)",
  "shutting-down": "the worker stopped before the handler finished; never dead-lettered for this",
  "dead-letter-publish-failed": "the copy could not be published to the dead-letter topic now " +
    "(Pub/Sub unreachable): tried again on redelivery, its failed runs kept; a keyed event's " +
    "later events wait for it",
  "dead-letter-rejected": "the copy can never be published (over Pub/Sub's limits); the " +
    "subscription's own dead-letter policy forwards it after its last attempt",
  "internal-error": "a bug in the worker; logged at error level with the cause",
  "max-lease": "held past `--max-lease` (running, waiting for a permit or its key): given back; " +
    "a handler that finishes later is logged as finished after its message was given back, " +
    "never acked",
};

const DUPLICATE_MEANINGS: Record<DuplicateReason, string> = {
  "already-handled": "this worker handled the event recently (`--dedupe-window`)",
  "settled-with-running-copy": "Pub/Sub delivered the event again while this worker was " +
    "handling it: held (its lease kept, no delivery attempt burnt) and acked when that call " +
    "succeeded (had it failed, this delivery would have run the handler)",
  "already-dead-lettered": "this worker published the message's dead-letter copy less than " +
    "`--dedupe-for` ago, from another delivery of it (an ack lost, or a redelivery while it was " +
    "retried in place): acked without a second run or a second copy",
};

const ACK_FAILED_MEANINGS: Record<typeof ACK_FAILED_REASONS[number], string> = {
  "invalid-ack-id": "Pub/Sub refused the ack: the lease had expired, or a later delivery of the " +
    "message superseded it",
  "permission-denied": "the worker may not ack on this subscription",
  "failed-precondition": "Pub/Sub refused the ack for the subscription's state",
  unconfirmed: "no answer: transient failures for 10 minutes, or the worker stopped first; the " +
    "ack may or may not have taken effect",
  other: "any other refusal (its text in `detail`)",
};

const DEAD_LETTER_MEANINGS: Record<DeadLetterReason, string> = {
  "too-large": "larger than `--max-payload`: not parsed",
  "invalid-encoding": "not UTF-8",
  "invalid-json": "not JSON",
  "invalid-event": "the contract refused it: `detail` names the JSON path, the rule and the value",
  "max-attempts": "the handler failed `--max-delivery-attempts` runs of it (retries in place and " +
    "deliveries this worker saw; runs answered 429 and give-backs not counted): `detail` says " +
    "how many runs in how many deliveries",
  rejected: "the handler said it can never succeed (`RejectedError`; HTTP: a 4xx other than " +
    "408, 429 and the refusals 401, 403, 404, 407 and `--retry-on`, which are held, not failed)",
};

const PAUSE_MEANINGS: Record<PauseReason, string> = {
  operator: "paused by hand (`Worker.pause()`, the console)",
  "handler-refused": "the HTTP service refused every call (401, 403, 404, 407, `--retry-on`) for " +
    "`--pause-after`; resumes on the first call accepted",
  "handler-permission": "a module handler lacks a Deno permission; resumes on the first call " +
    "that succeeds (restart with the grant: docs/handlers.md)",
};

const table = (head: string, rows: [string, string][]) =>
  [`| ${head} | Meaning |`, "| --- | --- |", ...rows.map(([k, v]) => `| \`${k}\` | ${v} |`)]
    .join("\n");

/** docs/outcomes.md. */
export function renderOutcomeDoc(): string {
  return `# Outcomes and reasons

Generated from the lists in \`src/worker/outcome.ts\` by \`deno task docs\`; a test fails when
this file is stale. Each delivery ends in one outcome, logged as one line (\`outcome\`, \`reason\`,
\`detail\`) and counted in \`event_tool_events_*_total{reason}\`.

${table("Outcome", OUTCOMES.map((o) => [o, OUTCOME_MEANINGS[o]]))}

## Nack reasons

${table("Reason", NACK_REASONS.map((r) => [r, NACK_MEANINGS[r]]))}

## Dead-letter reasons

The dead-letter copy's \`reason\` attribute; \`event-tool dead-letters peek --reason R\` filters
on it (\`forwarded\`: moved by Pub/Sub's own dead-letter policy, without a reason).

${table("Reason", DEAD_LETTER_REASONS.map((r) => [r, DEAD_LETTER_MEANINGS[r]]))}

## Duplicate reasons

Acked without running the handler again.

${table("Reason", DUPLICATE_REASONS.map((r) => [r, DUPLICATE_MEANINGS[r]]))}

## Ack-failed reasons

On an exactly-once subscription every ack waits for Pub/Sub's answer before its line is written
(at-least-once subscriptions write the line first: see \`acked\`).

${table("Reason", ACK_FAILED_REASONS.map((r) => [r, ACK_FAILED_MEANINGS[r]]))}

## Pause reasons

While paused the worker takes no new message (what it holds still runs, nothing is nacked for the
pause), \`/readyz\` answers 503 naming the reason and \`event_tool_paused{reason}\` is 1.

${table("Reason", PAUSE_REASONS.map((r) => [r, PAUSE_MEANINGS[r]]))}
`;
}
