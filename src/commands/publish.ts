/**
 * `event-tool publish`: publishes `--count` random valid events, or the NDJSON events of
 * `--file` exactly as given, optionally paced at `--rate` per second, with client-side batching.
 * Prints a summary on stdout; fails (exit 1) if any event could not be published.
 */
import { plural } from "../base/words.ts";
import { messageOf, UsageError } from "../base/errors.ts";
import { type EventContract, resolveContract } from "../event/contract.ts";
import { type Config, SETTINGS } from "../config/settings.ts";
import { decodeNdjson, generatePayloads, parseNdjson } from "../event/payload.ts";
import { startProgress } from "../ops/progress.ts";
import { describeTarget } from "../pubsub/client.ts";
import { connect } from "../pubsub/connect.ts";
import { explainMissing } from "../pubsub/missing.ts";
import { publishPayloads, type PublishReport } from "../pubsub/publisher.ts";
import { logger } from "../telemetry/log.ts";

export const summary = "publish PaymentMethodCreated events (random, or from an NDJSON file)";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "publish --count 100",
  "publish --count 10000 --rate 500",
  "publish --file events.ndjson",
  "publish --file - < events.ndjson",
  "publish --count 2000 --ordering-key userID --users 50",
] as const;

const log = logger("publish");

/** The bytes of `file` (`-`: standard input); a usage error names the file when it cannot. */
export async function readSource(file: string): Promise<Uint8Array> {
  try {
    if (file === "-") return await new Response(Deno.stdin.readable).bytes();
    return await Deno.readFile(file);
  } catch (error) {
    const why = messageOf(error);
    throw new UsageError(
      `${SETTINGS.file.flag}: cannot read ${JSON.stringify(file)} (${why}), expected a ` +
        "readable NDJSON file",
    );
  }
}

/** Runs `publish`. */
export async function run(config: Config): Promise<void> {
  const contract = await resolveContract(config);
  const fromFile = await eventsOfFile(config, contract);
  const count = fromFile?.length ?? config.count;
  const payloads = fromFile ?? generatePayloads(config.count, config.orderingKey, config.users);
  const client = await connect(config);
  log.info("Publishing {events} to {topic} on {target}", {
    events: plural(count, "event"),
    count,
    topic: config.topic,
    target: describeTarget(config),
  });
  const progress = startProgress(count);
  let report: PublishReport;
  try {
    report = await publishPayloads(client, config.topic, payloads, {
      rate: config.rate,
      eventType: contract.eventType,
      onProgress: (done) => progress.update(done),
    });
  } finally {
    progress.stop();
    await client.close();
  }
  const rate = report.seconds > 0
    ? Math.round(report.published / report.seconds)
    : report.published;
  console.log(
    `published ${plural(report.published, "event")}, ${report.failed} failed, in ` +
      `${report.seconds.toFixed(2)}s (${rate} events/s)`,
  );
  if (report.failed > 0) throw notPublished(report, count, config);
}

/**
 * The events of `--file`, read and validated whole first so that a bad line publishes nothing;
 * undefined for random events (made as they are sent, so `--count` does not bound memory).
 */
async function eventsOfFile(config: Config, contract: EventContract) {
  if (config.file === undefined && contract.source !== "built-in") {
    throw new UsageError(
      `${SETTINGS.schema.flag} ${config.schema}: random events are PaymentMethodCreated only, ` +
        `expected ${SETTINGS.file.flag} <events.ndjson> with it`,
    );
  }
  if (config.file === undefined) {
    if (config.orderingKey !== undefined && config.users === undefined) {
      log.info(
        "Every random event has a user and IDs of its own, so each ordering key gets one " +
          "event: add {flag} N to give N users several events each, in order",
        { flag: SETTINGS.users.flag },
      );
    }
    return undefined;
  }
  return parseNdjson(
    decodeNdjson(await readSource(config.file), config.file, SETTINGS.file.flag),
    config.file,
    SETTINGS.file.flag,
    contract,
    config.orderingKey,
  );
}

/** What was not published, which keys stopped and which lines failed, in one error. */
function notPublished(report: PublishReport, count: number, config: Config): unknown {
  const missing = explainMissing(report.firstError, "topic", config);
  if (missing !== report.firstError) return missing;
  const keys = report.pausedKeys.length === 0 ? "" : `; ordering keys stopped after a ` +
    `failure (their later events were not published, to keep their order): ` +
    report.pausedKeys.slice(0, 10).join(", ") + (report.pausedKeys.length > 10 ? ", …" : "");
  const lines = report.failedLines.length === 0 ? "" : ` (${linesOf(report.failedLines)} of ` +
    `${config.file === "-" ? "standard input" : config.file})`;
  const were = report.failed === 1 ? "was" : "were";
  return new Error(
    `${report.failed} of ${plural(count, "event")} ${were} not published${lines}${keys}`,
    { cause: report.firstError },
  );
}

/** `line 3`, `lines 3, 7 and 9`, or the first ten and how many more. */
export function linesOf(lines: readonly number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`;
  const shown = lines.slice(0, 10);
  const more = lines.length - shown.length;
  return `lines ${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}
