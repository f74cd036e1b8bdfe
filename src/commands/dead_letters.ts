/**
 * `event-tool dead-letters peek|requeue`: read the dead-letter subscription (decoded body, reason,
 * detail, attempts, original message ID; nothing acked), and after fixing the cause send events
 * back to the main topic with their original attributes, acking each dead-letter copy only once
 * its event was published again.
 */
import { UsageError } from "../base/errors.ts";
import { type Config, SETTINGS } from "../config/settings.ts";
import { connect } from "../pubsub/connect.ts";
import { type Pulled, puller, pullUntil } from "../pubsub/pull.ts";
import { logger } from "../telemetry/log.ts";
import { FORWARDED_PREFIX, originalAttributes } from "../worker/dead_letter.ts";

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
const log = logger("dead-letters");
/** How many dead letters a command looks through for its matches. */
const SCAN = 10_000;
/** Characters of a body shown by peek. */
const BODY_CHARS = 500;

/** The reason of a dead letter: the worker's `reason`, or `forwarded` by Pub/Sub's own policy. */
export function reasonOf(message: Pick<Pulled, "attributes">): string {
  const attributes = message.attributes;
  if (attributes.reason) return attributes.reason;
  const forwarded = Object.keys(attributes).some((k) => k.startsWith(FORWARDED_PREFIX));
  return forwarded ? "forwarded" : "unknown";
}

function eventIdOf(message: Pulled): string | undefined {
  try {
    const id = (JSON.parse(new TextDecoder().decode(message.data)) as { eventID?: unknown })
      .eventID;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

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
  const a = message.attributes;
  const attempts = a.deliveryAttempt ?? a[`${FORWARDED_PREFIX}DeliveryCount`] ?? "?";
  const original = a.messageId ?? a[`${FORWARDED_PREFIX}MessageId`] ?? "?";
  const lines = [
    `${reasonOf(message)}: event ${eventIdOf(message) ?? "(no event ID)"}, original message ` +
    `${original}, attempt ${attempts}, dead-lettered ${message.publishTime.toISOString()}`,
  ];
  if (a.detail) lines.push(`  detail: ${a.detail}`);
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
  const matches = (m: Pulled) =>
    (config.reason === undefined || reasonOf(m) === config.reason) &&
    (config.eventId === undefined || eventIdOf(m) === config.eventId);
  const client = await connect(config);
  const source = puller(client, config.deadLetterSubscription);
  const acked = new Set<string>();
  let pulled: Pulled[] = [];
  try {
    pulled = await pullUntil(source, SCAN, (p) => p.filter(matches).length >= config.limit);
    const chosen = pulled.filter(matches).slice(0, config.limit);
    const where = `on ${config.deadLetterSubscription}`;
    if (action === "peek" || config.dryRun) {
      const prefix = action === "peek" ? "" : "would requeue ";
      for (const message of chosen) console.log(prefix + describeDeadLetter(message));
      console.log(
        action === "peek"
          ? `${chosen.length} shown of ${pulled.length} looked at ${where}; nothing acked`
          : `${chosen.length} would be requeued to ${config.topic}; nothing changed`,
      );
      return;
    }
    const topic = client.topic(config.topic);
    for (const message of chosen) {
      // Published again first; only then is the dead-letter copy acked: never lost in between.
      await topic.publishMessage({
        data: message.data,
        attributes: originalAttributes(message.attributes),
      });
      await source.ack([message.ackId]);
      acked.add(message.ackId);
    }
    console.log(`requeued ${acked.size} events to ${config.topic} (their copies acked ${where})`);
  } finally {
    // What was looked at and not requeued goes back at once, to be read again; if that fails
    // it comes back anyway when its ack deadline passes.
    const back = pulled.filter((m) => !acked.has(m.ackId)).map((m) => m.ackId);
    await source.release(back).catch((error) =>
      log.warning("{count} dead letters come back after their ack deadline: {error}", {
        count: back.length,
        error,
      })
    );
    await source.close();
    await client.close();
  }
}
