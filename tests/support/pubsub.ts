/**
 * Test helpers that talk to the emulator: a unique topology per test (so tests never share a
 * subscription), and pulls through the emulator's REST API to count what is left.
 */
import { toEnv } from "../../src/config/env.ts";
import { defaults } from "../../src/config/resolve.ts";
import { type Config, EMULATOR_PROJECT, TARGET, TOPOLOGY } from "../../src/config/settings.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { emulatorHost } from "./emulator.ts";
import { waitFor } from "./wait.ts";
import { type Payload, randomPayloads } from "../../src/event/payload.ts";
import { publishEvents as publishEventsOf } from "../../src/pubsub/publisher.ts";
import { ensureTopology } from "../../src/pubsub/topology.ts";

/** A message pulled through REST. */
export interface PulledMessage {
  ackId: string;
  messageId: string;
  data: Uint8Array;
  text: string;
  attributes: Record<string, string>;
  deliveryAttempt: number;
  orderingKey: string;
}

/** A config with names unique to this test, pointing at the test emulator. */
export async function testConfig(overrides: Partial<Config> = {}): Promise<Config> {
  return uniqueConfig(await emulatorHost(), overrides);
}

/** A config with names unique to this test, on `host` (the emulator, or a fake server). */
export function uniqueConfig(host: string, overrides: Partial<Config> = {}): Config {
  const id = crypto.randomUUID().slice(0, 8);
  return {
    ...defaults(),
    project: EMULATOR_PROJECT,
    emulatorHost: host,
    topic: `t-${id}`,
    subscription: `s-${id}`,
    deadLetterTopic: `dlt-${id}`,
    deadLetterSubscription: `dls-${id}`,
    retryMinBackoff: 1000,
    retryMaxBackoff: 1000,
    shutdownTimeout: 10_000,
    logLevel: "warning",
    ...overrides,
  };
}

/** Creates the config's topology on the emulator. */
export async function createTopology(config: Config): Promise<void> {
  const client = createClient(config);
  try {
    await ensureTopology(client, config);
  } finally {
    await client.close();
  }
}

/** Environment variables that point the CLI at the config's emulator and names. */
export function envFor(config: Config): Record<string, string> {
  return toEnv({ ...config, logFormat: "json", metricsPort: 0 }, [
    ...TARGET,
    ...TOPOLOGY,
    "retryMinBackoff",
    "retryMaxBackoff",
    "logFormat",
    "metricsPort",
  ]);
}

/** Pulls up to `max` messages once (returnImmediately), without acking them. */
export async function pull(
  config: Config,
  subscription: string,
  max = 1000,
): Promise<PulledMessage[]> {
  const url =
    `http://${config.emulatorHost}/v1/projects/${config.project}/subscriptions/${subscription}:pull`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ maxMessages: max, returnImmediately: true }),
  });
  if (!response.ok) {
    throw new Error(`pull ${subscription}: ${response.status} ${await response.text()}`);
  }
  const body = await response.json() as {
    receivedMessages?: {
      ackId: string;
      deliveryAttempt?: number;
      message: {
        messageId: string;
        data?: string;
        attributes?: Record<string, string>;
        orderingKey?: string;
      };
    }[];
  };
  return (body.receivedMessages ?? []).map((m) => {
    const data = Uint8Array.from(atob(m.message.data ?? ""), (c) => c.charCodeAt(0));
    return {
      ackId: m.ackId,
      messageId: m.message.messageId,
      data,
      text: new TextDecoder().decode(data),
      attributes: m.message.attributes ?? {},
      deliveryAttempt: m.deliveryAttempt ?? 0,
      orderingKey: m.message.orderingKey ?? "",
    };
  });
}

/** Gives pulled messages back at once (ack deadline 0), through the emulator's REST API. */
export async function release(config: Config, subscription: string, ackIds: string[]) {
  const url = `http://${config.emulatorHost}/v1/projects/${config.project}/subscriptions/` +
    `${subscription}:modifyAckDeadline`;
  for (let i = 0; i < ackIds.length; i += 1000) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ackIds: ackIds.slice(i, i + 1000), ackDeadlineSeconds: 0 }),
    });
    if (!response.ok) {
      throw new Error(`modifyAckDeadline: ${response.status} ${await response.text()}`);
    }
  }
}

/**
 * Pulls until `count` messages arrived (acking nothing) and returns them all; rejects after
 * `timeoutMs` saying how many arrived.
 */
export async function pullAll(
  config: Config,
  subscription: string,
  count: number,
  timeoutMs = 10_000,
): Promise<PulledMessage[]> {
  const messages: PulledMessage[] = [];
  await waitFor(async () => {
    messages.push(...await pull(config, subscription));
    return messages.length >= count;
  }, {
    timeoutMs,
    intervalMs: 200,
    what: `${count} messages on ${subscription}`,
    progress: () => `${messages.length} arrived`,
  });
  return messages;
}

/**
 * Every message `subscription` still holds unacked, leased to a client or not: a seek to a
 * snapshot taken now makes each deliverable at once, so nothing has to wait for a lease to run
 * out. Call it with no worker running (a worker would take them); what it returns is given back
 * (ack deadline 0). The emulator cannot seek an ordered subscription.
 */
export async function unacked(config: Config, subscription: string): Promise<PulledMessage[]> {
  const client = createClient(config);
  const name = `unacked-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const [snapshot] = await client.subscription(subscription).createSnapshot(name);
    await client.subscription(subscription).seek(name);
    await snapshot.delete();
  } finally {
    await client.close();
  }
  const held: PulledMessage[] = [];
  for (let batch; (batch = await pull(config, subscription)).length > 0;) held.push(...batch);
  await release(config, subscription, held.map((m) => m.ackId));
  return held;
}

/** Publishes `events` (or that many random events) to the config's topic; returns what it sent. */
export async function publishEvents(
  config: Config,
  events: Payload[] | number,
): Promise<Payload[]> {
  const payloads = typeof events === "number" ? randomPayloads(events) : events;
  const report = await publishEventsOf(config, payloads);
  if (report.failed > 0) throw new Error(`${report.failed} events were not published`);
  return payloads;
}
