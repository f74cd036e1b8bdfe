/**
 * Reliability: messages at Pub/Sub's size limit. Each is dead-lettered (too-large) without being
 * decoded, the worker process runs under its shipped heap setting and never falls over, its
 * memory stays bounded, and the valid events around them are handled.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { sample } from "../../bench/measure/scrape.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, publishEvents, pullAll, testConfig } from "../support/pubsub.ts";
import { report, since } from "../support/reliability.ts";

const BIG = 12;
const BIG_BYTES = 9_900_000; // under Pub/Sub's 10 MB with room for the dead letter's attributes
const VALID = 50;

integrationTest(
  "reliability: maximum-size messages are dead-lettered with bounded memory",
  async () => {
    const start = performance.now();
    const config = await testConfig();
    await createTopology(config);
    const client = createClient(config);
    try {
      const topic = client.topic(config.topic);
      for (let i = 0; i < BIG; i++) {
        await topic.publishMessage({ data: Buffer.alloc(BIG_BYTES, i % 2 ? "{" : "x") });
      }
    } finally {
      await client.close();
    }
    const payloads = await publishEvents(config, VALID);

    const port = freePort();
    const worker = spawnCli(["worker", "--metrics-port", String(port)], {
      ...envFor(config),
      WORKER_SUMMARY_INTERVAL: "0",
    });
    const outcomes = new Outcomes();
    outcomes.follow(worker);
    const rss: number[] = [];
    const sampler = setInterval(async () => {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => "");
      const value = sample(text, "event_tool_process_resident_memory_bytes");
      if (value) rss.push(value);
    }, 200);
    try {
      await outcomes.until(
        () => outcomes.count("dead-lettered") >= BIG && outcomes.count("acked") >= VALID,
        120_000,
        `${BIG} dead-lettered and ${VALID} acked`,
      );
    } finally {
      clearInterval(sampler);
    }
    worker.process.kill("SIGTERM");
    const result = await worker.finished;
    assert.equal(result.code, 0, "the worker was never killed by a message");
    assert.doesNotMatch(result.stderr, /out of memory/i);

    const dead = outcomes.lines.filter((l) => l.outcome === "dead-lettered");
    assert.ok(dead.every((l) => l.reason === "too-large" && l.eventID === null));
    assert.equal(new Set(dead.map((l) => l.messageId)).size, BIG, "each dead-lettered once");
    const copies = await pullAll(config, config.deadLetterSubscription, BIG, 30_000);
    assert.equal(copies.length, BIG);
    assert.ok(copies.every((c) => c.data.byteLength === BIG_BYTES), "the exact bytes");
    assert.ok(rss.length > 0, "the worker's RSS was sampled");
    const peakMb = Math.max(...rss) / 1024 / 1024;
    // Bounded by what the streams may lease (10 × 10.5 MiB) plus each such message's copies on
    // its way (gRPC decode, the dead letter's encoding): well under a gigabyte, whatever the count.
    assert.ok(peakMb < 700, `peak RSS ${peakMb.toFixed(0)} MB`);
    const counts = outcomes.processedCounts();
    const lost = payloads.filter((p) => !counts.has(p.eventID)).length;
    await report({
      case: "9. maximum-size messages",
      injected: `${BIG} messages of ${(BIG_BYTES / 1e6).toFixed(1)} MB (--max-payload 64KiB) ` +
        `among ${VALID} valid events`,
      eventsIn: BIG + VALID,
      processed: counts.size,
      duplicates: [...counts.values()].reduce((sum, n) => sum + n - 1, 0),
      deadLettered: dead.length,
      lost,
      seconds: since(start),
      notes: `each dead-lettered once as too-large, unread, its copy byte-for-byte; worker peak ` +
        `RSS ${peakMb.toFixed(0)} MB under the 128 MB heap cap (at most 64 MiB of messages ` +
        "leased at once), exit 0",
    });
  },
);
