/**
 * Tests on the fake Pub/Sub server (tests/fake_pubsub/): a server per test, a configuration whose
 * names are unique and whose emulator host is the fake (the tool reaches it as it reaches the
 * emulator), and the topology made with the tool's own `setup` code.
 */
import type { Config } from "../../src/config/settings.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { ensureTopology } from "../../src/pubsub/topology.ts";
import { type Payload, randomPayloads } from "../../src/event/payload.ts";
import { Outcomes } from "./outcomes.ts";
import { type RunningCli, spawnCli } from "./cli.ts";
import { envFor, uniqueConfig } from "./pubsub.ts";
import { FakePubSub, type FakeServerOptions } from "../fake_pubsub/server.ts";

export { FakePubSub };

/**
 * Registers a test that runs on a fresh fake server, closed afterwards. The client libraries keep
 * timers and sockets a little past `close()`, so the op and resource sanitizers are off.
 */
export function fakeTest(
  name: string,
  fn: (fake: FakePubSub) => Promise<void>,
  options: FakeServerOptions = {},
): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const fake = await FakePubSub.start(options);
      try {
        await fn(fake);
      } finally {
        await fake.close();
      }
    },
  });
}

/** A config with names unique to this test, pointing at `fake`. */
export function fakeConfig(fake: FakePubSub, overrides: Partial<Config> = {}): Config {
  return uniqueConfig(fake.host, overrides);
}

/** Creates `config`'s topology on its fake with the tool's setup code. */
export async function fakeTopology(config: Config): Promise<void> {
  const client = createClient(config);
  try {
    await ensureTopology(client, config);
  } finally {
    await client.close();
  }
}

/** Events published to the fake: their payloads, and each message ID's event ID. */
export interface Published {
  payloads: Payload[];
  eventOf: Map<string, string>;
}

/** Publishes `count` random events (or `payloads`) to `config`'s topic on `fake`. */
export function publishOnFake(
  fake: FakePubSub,
  config: Config,
  events: number | Payload[],
): Published {
  const payloads = typeof events === "number" ? randomPayloads(events) : events;
  const ids = fake.publish(config.topic, payloads.map((p) => ({ data: p.data })));
  return { payloads, eventOf: new Map(ids.map((id, i) => [id, payloads[i]!.eventID])) };
}

/**
 * What the fake's record says of a run, per event: how often the server delivered it, let a
 * delivery expire, and applied an ack; and the events lost: neither settled by an outcome line
 * (acked, duplicate, dead-lettered) nor held by the subscription, or acked by the server without
 * any such line.
 */
export function serverView(
  fake: FakePubSub,
  config: Config,
  published: Published,
  outcomes: Outcomes,
) {
  const byEvent = (counts: Map<string, number>) =>
    new Map([...counts].map(([id, n]) => [published.eventOf.get(id) ?? id, n]));
  const delivered = byEvent(fake.record.countBy("delivered"));
  const expired = byEvent(fake.record.countBy("expired"));
  const acked = byEvent(fake.record.countBy("acked"));
  const held = new Set(
    fake.subscriptionOrFail(config.subscription).unackedIds().map((id) =>
      published.eventOf.get(id) ?? id
    ),
  );
  const settled = outcomes.settled();
  const missing = published.payloads.filter((p) =>
    (!settled.has(p.eventID) && !held.has(p.eventID)) ||
    (acked.has(p.eventID) && !settled.has(p.eventID))
  );
  return {
    delivered,
    expired,
    acked,
    held,
    lost: missing.length,
    redelivered: [...delivered.values()].filter((n) => n > 1).length,
    expiredTotal: [...expired.values()].reduce((a, b) => a + b, 0),
  };
}

/** Kills what is still running of `workers` (after a failed assertion). */
export function killAll(workers: readonly { process: Deno.ChildProcess }[]): void {
  for (const worker of workers) {
    try {
      worker.process.kill("SIGKILL");
    } catch {
      // already exited
    }
  }
}

/**
 * Starts `count` worker processes (`worker ...args`, the summary line off, `env` added) on
 * `config`'s fake; their outcome lines are followed together.
 */
export function fakeWorkers(
  config: Config,
  count: number,
  args: string[] = [],
  env: Record<string, string> = {},
): { workers: RunningCli[]; outcomes: Outcomes } {
  const all = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0", ...env };
  const outcomes = new Outcomes();
  const workers = Array.from({ length: count }, () => spawnCli(["worker", ...args], all));
  for (const worker of workers) outcomes.follow(worker);
  return { workers, outcomes };
}

/** SIGTERM to every worker; resolves with their exit codes. */
export async function stopWorkers(workers: readonly RunningCli[]): Promise<number[]> {
  for (const worker of workers) worker.process.kill("SIGTERM");
  return await Promise.all(workers.map(async (worker) => (await worker.finished).code));
}

/** One worker process on `config`'s fake (see {@linkcode fakeWorkers}). */
export function fakeWorker(config: Config, args: string[] = [], env: Record<string, string> = {}) {
  const { workers, outcomes } = fakeWorkers(config, 1, args, env);
  return { worker: workers[0] as RunningCli, outcomes };
}
