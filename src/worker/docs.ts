/**
 * docs/outcomes.md, rendered from the `as const` lists of outcome.ts (the same lists give the log
 * fields and the metric labels), so the reasons in the docs never drift from the code (`deno task
 * docs` rewrites it; tests/docs_test.ts fails when it is stale). A reason added to a list without
 * a meaning here does not compile.
 */
import {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  DUPLICATE_REASONS,
  NACK_REASONS,
  type NackReason,
  type OutcomeKind,
  OUTCOMES,
} from "./outcome.ts";
import { PAUSE_REASONS, type PauseReason } from "./pause.ts";

const OUTCOME_MEANINGS: Record<OutcomeKind, string> = {
  acked: "handled; acked after its outcome line was written",
  duplicate: "already handled by this worker (dedupe window): acked without handling again",
  nacked: "given back to Pub/Sub, which delivers it again after the retry backoff",
  "dead-lettered": "copied to the dead-letter topic byte for byte (with `reason` and `detail`), " +
    "then acked",
};

const NACK_MEANINGS: Record<NackReason, string> = {
  "handler-failed": "the handler threw or timed out (a keyed event only once its `--key-retries` " +
    "retries in place are spent; dead-lettered `max-attempts` instead once the handler has " +
    "failed that many runs of it)",
  redirected: "the HTTP service answered a redirect, which is never followed",
  "key-failed": "an earlier event of the same ordering key went back to Pub/Sub (its retries in " +
    "place spent, or held past `--max-lease`): given back unhandled, as Pub/Sub delivers the key " +
    "again from that event on; never counted as a failed run (`--key-from` keys wait instead)",
  "in-progress": "another copy of the same event is being handled right now (or its timed-out " +
    "call still runs)",
  "shutting-down": "the worker stopped before the handler finished; never dead-lettered for this",
  "dead-letter-publish-failed": "the copy could not be published to the dead-letter topic now " +
    "(Pub/Sub unreachable): tried again on redelivery",
  "dead-letter-rejected": "the copy can never be published (over Pub/Sub's limits); the " +
    "subscription's own dead-letter policy forwards it after its last attempt",
  "internal-error": "a bug in the worker; logged at error level with the cause",
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

${table("Reason", DUPLICATE_REASONS.map((r) => [r, "acked without handling: seen before"]))}

## Pause reasons

While paused the worker takes no new message (what it holds still runs, nothing is nacked for the
pause), \`/readyz\` answers 503 naming the reason and \`event_tool_paused{reason}\` is 1.

${table("Reason", PAUSE_REASONS.map((r) => [r, PAUSE_MEANINGS[r]]))}
`;
}
