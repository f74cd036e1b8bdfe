import assert from "node:assert/strict";
import { publishPayloads, randomPayloads } from "../src/commands/publish.ts";
import type { Config } from "../src/config.ts";
import { fakeEvent } from "../src/event.ts";
import { type Handler, sleep } from "../src/handler.ts";
import { createClient } from "../src/pubsub.ts";
import { type OutcomeRecord, Worker, type WorkerOptions } from "../src/worker.ts";
import { integrationTest } from "./support/emulator.ts";
import { createTopology, pull, testConfig } from "./support/pubsub.ts";

/** Runs a worker until `until(records)` holds (or 30 s pass), then stops it. */
async function runWorker(
  config: Config,
  until: (records: OutcomeRecord[]) => boolean,
  options: WorkerOptions = {},
): Promise<{ records: OutcomeRecord[]; worker: Worker }> {
  const worker = new Worker(config, options);
  const records: OutcomeRecord[] = [];
  const reached = Promise.withResolvers<void>();
  worker.onOutcome((record) => {
    records.push(record);
    if (until(records)) reached.resolve();
  });
  worker.start();
  const timer = setTimeout(
    () => reached.reject(new Error(`gave up after ${records.length} outcomes`)),
    30_000,
  );
  try {
    await reached.promise;
  } finally {
    clearTimeout(timer);
    await worker.stop();
  }
  return { records, worker };
}

async function publishRaw(config: Config, bodies: (string | Uint8Array)[]): Promise<void> {
  const client = createClient(config);
  try {
    const topic = client.topic(config.topic);
    for (const body of bodies) {
      await topic.publishMessage({
        data: typeof body === "string" ? new TextEncoder().encode(body) : body,
      });
    }
  } finally {
    await client.close();
  }
}

integrationTest(
  "Worker acks 100 published events once each and leaves the subscription empty",
  async () => {
    const config = await testConfig({ poolSize: 10 });
    await createTopology(config);
    const payloads = randomPayloads(100);
    const client = createClient(config);
    await publishPayloads(client, config.topic, payloads);
    await client.close();

    const { records, worker } = await runWorker(config, (r) => r.length >= 100);
    await sleep(500); // anything redelivered would show up now
    assert.equal(records.length, 100);
    assert.ok(records.every((r) => r.outcome === "acked"));
    assert.deepEqual(
      new Set(records.map((r) => r.eventID)),
      new Set(payloads.map((p) => p.eventID)),
    );
    assert.equal(worker.stats.acked, 100);
    assert.deepEqual(await pull(config, config.subscription), []);
  },
);

integrationTest(
  "Worker dead-letters an invalid event with its reason and does not redeliver it",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    await publishRaw(config, ['{"eventID": "truncated']);

    const { records } = await runWorker(config, (r) => r.length >= 1);
    assert.equal(records[0]?.outcome, "dead-lettered");
    assert.equal(records[0]?.reason, "invalid-json");
    const [dead, ...more] = await pull(config, config.deadLetterSubscription);
    assert.deepEqual(more, []);
    assert.equal(dead?.text, '{"eventID": "truncated');
    assert.equal(dead?.attributes.reason, "invalid-json");
    assert.equal(dead?.attributes.messageId, records[0]?.messageId);
    assert.equal(dead?.attributes.subscription, config.subscription);
    assert.equal(dead?.attributes.deliveryAttempt, "1");
    await sleep(1500); // longer than the retry backoff: a nacked message would be back
    assert.deepEqual(await pull(config, config.subscription), []);
  },
);

integrationTest(
  "Worker nacks a failing event until its last attempt, then dead-letters it",
  async () => {
    const config = await testConfig({ maxDeliveryAttempts: 5 });
    await createTopology(config);
    const event = fakeEvent();
    await publishRaw(config, [JSON.stringify(event)]);
    const failing: Handler = () => Promise.reject(new Error("downstream unavailable"));

    const { records } = await runWorker(
      config,
      (r) => r.some((x) => x.outcome === "dead-lettered"),
      {
        handler: failing,
      },
    );
    assert.deepEqual(records.map((r) => [r.outcome, r.deliveryAttempt]), [
      ["nacked", 1],
      ["nacked", 2],
      ["nacked", 3],
      ["nacked", 4],
      ["dead-lettered", 5],
    ]);
    const [dead] = await pull(config, config.deadLetterSubscription);
    assert.equal(dead?.attributes.reason, "max-attempts");
    assert.match(dead?.attributes.detail ?? "", /downstream unavailable/);
    assert.equal(JSON.parse(dead?.text ?? "{}").eventID, event.eventID);
  },
);

integrationTest("Worker runs at most pool-size handlers at once and fills the pool", async () => {
  const config = await testConfig({ poolSize: 8 });
  await createTopology(config);
  const client = createClient(config);
  await publishPayloads(client, config.topic, randomPayloads(120));
  await client.close();
  let running = 0;
  let most = 0;
  const slow: Handler = async () => {
    most = Math.max(most, ++running);
    await sleep(30);
    running--;
  };
  const { worker } = await runWorker(config, (r) => r.length >= 120, { handler: slow });
  assert.equal(most, 8);
  assert.equal(worker.stats.peakInFlight, 8);
});
