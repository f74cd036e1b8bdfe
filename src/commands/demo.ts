/**
 * `event-tool demo`: the whole flow in one command. Starts a local emulator (unless
 * PUBSUB_EMULATOR_HOST is set), runs setup, starts the worker, publishes `--count` events, waits
 * until each was handled, prints a summary and stops what it started.
 */
import type { Config } from "../config/settings.ts";
import { localTarget } from "../pubsub/emulator.ts";
import { createClient } from "../pubsub/client.ts";
import { workerOptions } from "../worker/cli_options.ts";
import { Worker } from "../worker/worker.ts";
import { randomPayloads } from "../event/payload.ts";
import { publishPayloads } from "../pubsub/publisher.ts";
import { ensureTopology } from "../pubsub/topology.ts";
import { blockedMessage, setupLines } from "./setup.ts";

export const summary = "start an emulator, set up, run the worker and publish events end to end";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "demo",
  "demo --count 1000 --pool-size 50",
] as const;

/** How long the demo waits for the worker to handle what it published. */
const SETTLE_TIMEOUT_MS = 120_000;

/** Runs `demo`. Fails if any published event was not handled in time. */
export async function run(config: Config): Promise<void> {
  const { config: demoConfig, emulator } = await localTarget(config);
  const client = createClient(demoConfig);
  try {
    const topology = await ensureTopology(client, demoConfig);
    for (const line of setupLines(topology)) console.log(line);
    const blocked = blockedMessage(topology);
    if (blocked !== undefined) throw new Error(blocked);
    const payloads = randomPayloads(config.count);
    const expected = new Set(payloads.map((p) => p.eventID));
    const handled = new Set<string>();
    const allHandled = Promise.withResolvers<void>();
    const worker = new Worker(workerOptions(demoConfig, { client }));
    worker.onOutcome(({ eventID, outcome }) => {
      if (outcome === "nacked" || eventID === null || !expected.has(eventID)) return;
      handled.add(eventID);
      if (handled.size === expected.size) allHandled.resolve();
    });
    worker.start();
    const started = performance.now();
    const report = await publishPayloads(client, config.topic, payloads);
    const timer = setTimeout(
      () =>
        allHandled.reject(
          new Error(
            `only ${handled.size} of ${expected.size} events were handled within ${
              SETTLE_TIMEOUT_MS / 1000
            }s`,
          ),
        ),
      SETTLE_TIMEOUT_MS,
    );
    try {
      await allHandled.promise;
    } finally {
      clearTimeout(timer);
      await worker.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const { acked, nacked, "dead-lettered": deadLettered } = worker.stats;
    console.log(
      `demo: published ${report.published}, handled ${handled.size} distinct events ` +
        `(${acked} acked, ${nacked} nacked, ${deadLettered} dead-lettered) in ${
          seconds.toFixed(2)
        }s`,
    );
  } finally {
    await client.close();
    await emulator?.stop();
  }
}
