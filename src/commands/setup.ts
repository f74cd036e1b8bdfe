/**
 * `event-tool setup`: creates the topic, the dead-letter topic, the subscription (ack deadline,
 * retry policy, dead-letter policy, replay window, no expiry) and the dead-letter subscription.
 * Idempotent: what exists is compared with the flags, each difference printed
 * (`ack deadline 60s → 120s`); `--update` applies them. A difference Pub/Sub cannot apply
 * (message ordering) fails setup, which names the ways out: `--recreate` when nothing waits on the
 * subscription, or a new subscription name (docs/operations.md).
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
  "setup --message-ordering --recreate",
] as const;

/** The runbook section on settings Pub/Sub cannot change. */
const RUNBOOK = 'docs/operations.md, "Settings Pub/Sub cannot change"';

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
      `${d.setting} ${d.now} → ${d.wanted}${
        d.apply || result.status === "recreated" ? "" : " (cannot change on an existing one)"
      }`
    ).join(", ");
    const hint = result.status === "recreated"
      ? ` (it did not exist for at most ${Math.ceil(result.goneMs ?? 0)} ms: events published ` +
        "then are not on it)"
      : result.status === "differs" && result.drift.some((d) => d.apply)
      ? ` (${SETTINGS.update.flag} applies ${result.drift.length === 1 ? "it" : "them"})`
      : "";
    return `${head}: ${changes}${hint}`;
  });
}

/** Why a setting asked for is not in effect, and the way to it; undefined when all are. */
export function blockedMessage(results: readonly SetupResult[]): string | undefined {
  const reasons = results.flatMap((result) => {
    if (result.blocked === undefined) return [];
    const settings = result.drift.filter((d) => d.apply === undefined).map((d) =>
      `${d.setting} ${d.now} → ${d.wanted}`
    ).join(", ");
    return result.blocked === "cannot-change"
      ? [
        `subscription ${result.name}: ${settings} cannot be applied to an existing subscription; ` +
        `run setup again with ${SETTINGS.recreate.flag} (it deletes and creates ${result.name}, so ` +
        `only while nothing waits on it), or switch to a new subscription name (${RUNBOOK})`,
      ]
      : [
        `subscription ${result.name}: ${settings} not applied: it holds at least ` +
        `${result.blocked.backlog} undelivered events, which ${SETTINGS.recreate.flag} would ` +
        `delete; let its workers drain it and run setup again, or switch to a new subscription ` +
        `name (${RUNBOOK})`,
      ];
  });
  return reasons.length === 0 ? undefined : reasons.join("; ");
}

/**
 * Runs `setup` and prints one line per resource on stdout; fails (exit 1) when a setting asked
 * for cannot be applied, naming the way to it.
 */
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
    const results = await ensureTopology(client, config, config);
    for (const line of setupLines(results)) console.log(line);
    const blocked = blockedMessage(results);
    if (blocked !== undefined) throw new Error(blocked);
  } finally {
    await client.close();
  }
}
