/**
 * Case 22, labels: a worker runs another event type (`--schema`) whose title is not Latin-1, and
 * half of its events carry another type's `eventType` label. Before, `new Headers` threw on the
 * title for every event (all dead-lettered after the retries) and the label, not the contract,
 * became `ce-type`. Now every event is delivered once with the contract's type, percent-encoded
 * as the CloudEvents HTTP binding says, and the labels are counted and warned about once.
 */
import assert from "node:assert/strict";
import { BUILT_IN_SCHEMA_PATH } from "../../src/event/contract.ts";
import { fakeEvent } from "../../src/event/payload.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { jsonLogs, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { envFor } from "../support/pubsub.ts";
import { countLost, freshBacklog, report, since, tallied } from "../support/reliability.ts";

const EVENTS = 20;
const TITLE = "Paiement créé €";

integrationTest("reliability: the contract names the type, whatever the label says", async () => {
  const start = performance.now();
  const { config, publishedFrom } = await freshBacklog({}, 0);
  const schema = await Deno.makeTempFile({ suffix: ".json" });
  const builtIn = JSON.parse(await Deno.readTextFile(BUILT_IN_SCHEMA_PATH));
  await Deno.writeTextFile(schema, JSON.stringify({ ...builtIn, title: TITLE }));
  const events = Array.from({ length: EVENTS }, fakeEvent);
  const client = createClient(config);
  const topic = client.topic(config.topic);
  for (const [i, event] of events.entries()) {
    const attributes = i % 2 === 0 ? { eventType: "PaymentMethodDeleted" } : { eventType: TITLE };
    await topic.publishMessage({
      data: new TextEncoder().encode(JSON.stringify(event)),
      attributes,
    });
  }
  await client.close();
  const payloads = events.map((e) => ({ eventID: e.eventID, data: new Uint8Array() }));

  const types = new Map<string, string>(); // eventID → ce-type received
  let posts = 0;
  const port = freePort();
  const service = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (r) => {
    await r.body?.cancel();
    posts++;
    types.set(r.headers.get("ce-id") ?? "", r.headers.get("ce-type") ?? "");
    return new Response(null, { status: 204 });
  });
  try {
    const outcomes = new Outcomes();
    const worker = spawnCli(
      ["worker", "--schema", schema, "--handler-url", `http://127.0.0.1:${port}/events`],
      { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" },
    );
    outcomes.follow(worker);
    await outcomes.until(() => outcomes.processedCounts().size >= EVENTS, 30_000, "all acked");
    worker.process.kill("SIGTERM");
    assert.equal((await worker.finished).code, 0);
    const { lost } = await countLost(config, payloads, outcomes, publishedFrom);
    const encoded = "Paiement%20cr%C3%A9%C3%A9%20%E2%82%AC";
    assert.deepEqual(new Set(types.values()), new Set([encoded]), "the contract's type, encoded");
    assert.equal(types.size, EVENTS);
    assert.equal(posts, EVENTS, "each delivered once");
    assert.equal(decodeURIComponent(encoded), TITLE);
    assert.equal(outcomes.count("dead-lettered"), 0);
    const warnings = jsonLogs(worker.lines).filter((l) => l.label === "PaymentMethodDeleted");
    assert.equal(warnings.length, 1, "one warning for the other type's label");
    await report({
      case: "22. labels",
      injected: `--schema titled "${TITLE}" (not Latin-1); half the events labelled ` +
        "eventType=PaymentMethodDeleted",
      eventsIn: EVENTS,
      ...tallied(outcomes),
      lost,
      seconds: since(start),
      notes: `every event delivered once with ce-type ${encoded} (the contract's, percent-` +
        `encoded); ${EVENTS / 2} mislabelled events counted, 1 warning, none dead-lettered`,
    });
  } finally {
    await service.shutdown();
    await Deno.remove(schema);
  }
});
