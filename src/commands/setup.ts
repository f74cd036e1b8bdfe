/**
 * `event-tool setup`: creates the topic, the dead-letter topic, the subscription (ack deadline,
 * retry policy, dead-letter policy, no expiry) and the dead-letter subscription. Idempotent: what
 * exists is reported as existing and left as it is.
 */
import type { Config } from "../config/settings.ts";
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
] as const;

const log = logger("setup");

/** Prints one line per resource on stdout: `created topic      name`. */
export function printSetup(results: readonly SetupResult[]): void {
  for (const result of results) {
    console.log(`${result.status.padEnd(7)} ${result.kind.padEnd(12)} ${result.name}`);
  }
}

/** Runs `setup` and prints one line per resource on stdout. */
export async function run(config: Config): Promise<void> {
  const client = await connect(config);
  log.info("Setting up topology on {target}", { target: describeTarget(config) });
  try {
    printSetup(await ensureTopology(client, config));
  } finally {
    await client.close();
  }
}
