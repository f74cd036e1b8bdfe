/**
 * `event-tool dead-letters peek|requeue`: read the dead-letter subscription (decoded body, reason,
 * detail, attempts, original message ID and key; nothing acked), and after fixing the cause send
 * events back to the main topic as they were first published, each copy naming its dead letter
 * (src/ops/dead_letter_queue.ts does both, for the console too), and say what matched, what was
 * requeued and what remains.
 */
import { UsageError } from "../base/errors.ts";
import { type Config, PEEK_SHOWN, SETTINGS } from "../config/settings.ts";
import { connect } from "../pubsub/connect.ts";
import { explainMissing } from "../pubsub/missing.ts";
import type { Pulled } from "../pubsub/pull.ts";
import {
  type DeadLetterFilter,
  factsOf,
  peekDeadLetters,
  REQUEUED_FROM,
  requeueDeadLetters,
} from "../ops/dead_letter_queue.ts";

export const summary = "read dead-lettered events (peek) or send them back to the topic (requeue)";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "dead-letters peek",
  "dead-letters peek --reason rejected --limit 5",
  "dead-letters requeue --reason rejected --dry-run",
  "dead-letters requeue --event-id 7d0f5b8e-3c1a-4c55-9b9e-2f7f3f1c2d11",
] as const;
/** Positional arguments, as commander declares them. */
export const args = ["<action>"] as const;

const ACTIONS = ["peek", "requeue"] as const;
/** Characters of a body shown by peek. */
const BODY_CHARS = 500;

/** The body as text, cut to `chars`, or what it is when not UTF-8. */
function bodyOf(message: Pulled, chars: number): string {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(message.data);
    return text.length > chars
      ? `${text.slice(0, chars)}… (${message.data.byteLength} bytes)`
      : text;
  } catch {
    return `(${message.data.byteLength} bytes, not UTF-8)`;
  }
}

/** One dead letter for people, a few lines. */
export function describeDeadLetter(message: Pulled): string {
  const f = factsOf(message);
  const lines = [
    `${f.reason}: event ${f.eventId ?? "(no event ID)"}, original message ` +
    `${f.originalMessageId ?? "?"}, attempt ${f.attempt ?? "?"}` +
    `${f.orderingKey === undefined ? "" : `, key ${f.orderingKey}`}, dead-lettered ` +
    f.deadLetteredAt.toISOString(),
  ];
  if (f.detail) lines.push(`  detail: ${f.detail}`);
  lines.push(`  body: ${bodyOf(message, BODY_CHARS)}`);
  return lines.join("\n");
}

/** Runs `dead-letters peek` or `dead-letters requeue`. */
export async function run(config: Config, [action]: string[]): Promise<void> {
  if (!(ACTIONS as readonly (string | undefined)[]).includes(action)) {
    throw new UsageError(`dead-letters: got ${JSON.stringify(action)}, expected peek or requeue`);
  }
  if (action === "peek" && (config.eventId !== undefined || config.dryRun)) {
    throw new UsageError(
      `dead-letters peek: got ${SETTINGS.eventId.flag} or ${SETTINGS.dryRun.flag}, expected ` +
        "them with requeue only (peek changes nothing)",
    );
  }
  const filter: DeadLetterFilter = { reason: config.reason, eventId: config.eventId };
  const where = config.deadLetterSubscription;
  const client = await connect(config);
  try {
    if (action === "peek" || config.dryRun) {
      const keep = config.limit ?? (action === "peek" ? PEEK_SHOWN : Infinity);
      const found = await peekDeadLetters(client, where, { filter, keep });
      const prefix = action === "peek" ? "" : "would requeue ";
      for (const message of found.shown) console.log(prefix + describeDeadLetter(message));
      console.log(
        action === "peek"
          ? `${found.shown.length} shown of ${found.matched} matching, ${found.remaining} on ` +
            `${where}; nothing acked`
          : `${found.matched} matched, ${found.shown.length} would be requeued to ${config.topic}, ` +
            `${found.remaining} on ${where}; nothing changed`,
      );
      return;
    }
    const done = await requeueDeadLetters(client, where, {
      filter,
      topic: config.topic,
      limit: config.limit,
    });
    const left = done.matched - done.requeued - done.failed - done.unacked;
    console.log(
      `${done.matched} matched, ${done.requeued} requeued to ${config.topic}, ` +
        `${done.remaining} remain on ${where}` +
        (left > 0 ? ` (${left} matching left by ${SETTINGS.limit.flag} ${config.limit})` : ""),
    );
    if (done.unacked > 0) {
      throw new Error(
        `${done.unacked} dead letters were requeued but could not be acked on ${where}: they ` +
          `remain, and a later requeue publishes them again (each copy carries its dead letter's ` +
          `message ID as ${REQUEUED_FROM}): ${done.firstError?.message}`,
      );
    }
    if (done.failed > 0) {
      const missing = explainMissing(done.firstError, "topic", config);
      if (missing !== done.firstError) throw missing;
      throw new Error(
        `${done.failed} matching dead letters could not be published to ${config.topic} and ` +
          `remain on ${where} (run requeue again): ${done.firstError?.message}`,
      );
    }
  } catch (error) {
    throw explainMissing(error, "deadLetterSubscription", config);
  } finally {
    await client.close();
  }
}
