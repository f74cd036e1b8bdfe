/**
 * `event-tool setup`: creates the topic, the dead-letter topic, the subscription (ack deadline,
 * retry policy, dead-letter policy, replay window, no expiry) and the dead-letter subscription.
 * Idempotent: what exists is compared with the flags, each difference printed
 * (`ack deadline 60s → 120s`); `--update` applies them.
 */
import { type Config, SETTINGS } from "../config/settings.ts";
import { logger } from "../telemetry/log.ts";
import { describeTarget } from "../pubsub/client.ts";
import { connect } from "../pubsub/connect.ts";
import { ensureTopology, type SetupResult } from "../pubsub/topology.ts";

export const summary = "create the topics and subscriptions (idempotent)";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "setup",
  "setup --emulator-host localhost:8085",
  "setup --project my-project --max-delivery-attempts 10",
  "setup --ack-deadline 120s --update",
] as const;

const log = logger("setup");

/**
 * One line per resource: `created topic        name`, and for a subscription whose settings
 * differ, what differs: `differs subscription name: ack deadline 60s → 120s (…)`.
 */
export function setupLines(results: readonly SetupResult[]): string[] {
  return results.map((result) => {
    const head = `${result.status.padEnd(7)} ${result.kind.padEnd(12)} ${result.name}`;
    if (result.drift.length === 0) return head;
    const changes = result.drift.map((d) =>
      `${d.setting} ${d.now} → ${d.wanted}${d.apply ? "" : " (cannot change: recreate it)"}`
    ).join(", ");
    const hint = result.status === "differs" && result.drift.some((d) => d.apply)
      ? ` (${SETTINGS.update.flag} applies ${result.drift.length === 1 ? "it" : "them"})`
      : "";
    return `${head}: ${changes}${hint}`;
  });
}

/** Runs `setup` and prints one line per resource on stdout. */
export async function run(config: Config): Promise<void> {
  const client = await connect(config);
  log.info("Setting up topology on {target}", { target: describeTarget(config) });
  if (config.exactlyOnce && config.emulatorHost !== undefined) {
    log.warning(
      "The emulator records {flag} but does not deliver exactly once: its acks never fail and " +
        "it may deliver an acked event again; test exactly-once on Google Cloud",
      { flag: SETTINGS.exactlyOnce.flag },
    );
  }
  try {
    for (const line of setupLines(await ensureTopology(client, config, config))) {
      console.log(line);
    }
  } finally {
    await client.close();
  }
}
