/**
 * The worker consumes what the original system publishes (four fields, no attributes, any
 * paymentMethodType, extra fields) and hands every byte on; other event types run with --schema.
 */
import assert from "node:assert/strict";
import { createClient } from "../../src/pubsub/client.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, pull, pullAll, testConfig } from "../support/pubsub.ts";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
const encoder = new TextEncoder();

/** Publishes `bodies` as a plain client does: data only, no attributes. */
async function publishPlain(
  config: Parameters<typeof createClient>[0] & { topic: string },
  bodies: string[],
) {
  const client = createClient(config);
  try {
    const topic = client.topic(config.topic);
    const ids: string[] = [];
    for (const body of bodies) ids.push(await topic.publishMessage({ data: encoder.encode(body) }));
    return ids;
  } finally {
    await client.close();
  }
}

integrationTest(
  "worker acks events as the original system publishes them and POSTs each body byte for byte",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    // As Go's json.Marshal writes the original struct: no createdAt, no spaces, no attributes.
    const bodies = Array.from({ length: 40 }, (_, i) => {
      const type = i % 8 === 0 ? "paypal" : i % 2 ? "card" : "bank_account";
      const extra = i % 4 === 1 ? `,"metadata":{"source":"ios","tags":["a","ü"]}` : "";
      return `{"eventID":"${crypto.randomUUID()}","userID":"${crypto.randomUUID()}",` +
        `"paymentMethodID":"${crypto.randomUUID()}","paymentMethodType":"${type}"${extra}}`;
    });
    await publishPlain(config, bodies);
    const received = new Map<string, { body: Uint8Array; headers: Headers }>();
    const port = freePort();
    const service = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (r) => {
      received.set(r.headers.get("ce-id") ?? "", {
        body: new Uint8Array(await r.arrayBuffer()),
        headers: r.headers,
      });
      return new Response(null, { status: 204 });
    });
    try {
      const outcomes = new Outcomes();
      const worker = spawnCli(
        ["worker", "--handler-url", `http://127.0.0.1:${port}/events`],
        { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" },
      );
      outcomes.follow(worker);
      await outcomes.until(() => outcomes.count("acked") >= 40, 30_000, "40 acked");
      worker.process.kill("SIGTERM");
      assert.equal((await worker.finished).code, 0);
      assert.equal(outcomes.count("dead-lettered"), 0, "none dead-lettered");
      assert.equal(outcomes.lines.filter((l) => l.unrecognised).length, 5, "paypal counted");
      for (const body of bodies) {
        const id = JSON.parse(body).eventID;
        const got = received.get(id);
        assert.ok(got, `${id} delivered`);
        assert.deepEqual(got.body, encoder.encode(body), "the exact bytes published");
        assert.equal(got.headers.get("ce-type"), "PaymentMethodCreated");
        // No createdAt: the CloudEvent time is the message's publish time.
        assert.ok(Math.abs(Date.parse(got.headers.get("ce-time") ?? "") - Date.now()) < 60_000);
      }
      assert.deepEqual(await pull(config, config.subscription), []);
    } finally {
      await service.shutdown();
    }
  },
);

integrationTest(
  "--schema runs OrderPlaced end to end: publish --file, worker, invalid ones dead-lettered with the path",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" };
    const schema = ["--schema", `${EXAMPLES}order_placed.schema.json`];
    const published = await runCli(
      ["publish", ...schema, "--file", `${EXAMPLES}order_placed.ndjson`],
      env,
    );
    assert.equal(published.code, 0, published.stderr);
    assert.match(published.stdout, /^published 3 events, 0 failed/m);
    const good = JSON.parse(
      (await Deno.readTextFile(`${EXAMPLES}order_placed.ndjson`)).split("\n")[0] ?? "",
    );
    const invalid = [
      JSON.stringify({ ...good, eventID: crypto.randomUUID(), items: [{ sku: "X", quantity: 0 }] }),
      JSON.stringify({ ...good, eventID: crypto.randomUUID(), total: { amount: 3 } }),
    ];
    await publishPlain(config, invalid);

    const outcomes = new Outcomes();
    const worker = spawnCli(
      ["worker", ...schema, "--handler", `${EXAMPLES}order_handler.ts`],
      env,
    );
    outcomes.follow(worker);
    await outcomes.until(
      () => outcomes.count("acked") >= 3 && outcomes.count("dead-lettered") >= 2,
      30_000,
      "3 acked, 2 dead-lettered",
    );
    worker.process.kill("SIGTERM");
    const result = await worker.finished;
    assert.equal(result.code, 0);
    assert.match(result.stderr, /OrderPlaced A-1001: 2 units, 12.5 EUR/);
    const dead = outcomes.lines.filter((l) => l.outcome === "dead-lettered");
    assert.ok(dead.every((l) => l.reason === "invalid-event"));
    assert.deepEqual(dead.map((l) => l.detail).sort(), [
      '/items/0/quantity: must be >= 1 (rule minimum), got the number "0"',
      "/total/currency: required (rule required), got nothing",
    ]);
    const letters = await pullAll(config, config.deadLetterSubscription, 2);
    assert.deepEqual(letters.map((l) => l.text).sort(), [...invalid].sort(), "byte for byte");
    const messages = await pullAll(config, config.subscription, 0, 500);
    assert.deepEqual(messages, []);

    // A line the schema refuses: nothing is published, exit 2 naming the line and the path.
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(`${dir}/bad.ndjson`, `${JSON.stringify(good)}\n${invalid[1]}\n`);
    const refused = await runCli(["publish", ...schema, "--file", `${dir}/bad.ndjson`], env);
    await Deno.remove(dir, { recursive: true });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /^error: --file .*bad\.ndjson line 2: \/total\/currency: required \(rule required\), got nothing \(OrderPlaced from the .*order_placed\.schema\.json schema\)$/m,
    );
  },
);
