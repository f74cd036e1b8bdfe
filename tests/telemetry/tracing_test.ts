import assert from "node:assert/strict";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, envFor, publishEvents, testConfig } from "../support/pubsub.ts";

integrationTest("worker --otel exports a span per handled event over OTLP/HTTP", async () => {
  const received: string[] = [];
  const collector = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (req) => {
      received.push(
        `${new URL(req.url).pathname} ${new TextDecoder().decode(await req.arrayBuffer())}`,
      );
      return new Response("{}", { headers: { "content-type": "application/json" } });
    },
  );
  const config = await testConfig();
  await createTopology(config);
  const payloads = await publishEvents(config, 5);

  const worker = spawnCli(["worker", "--otel"], {
    ...envFor(config),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.addr.port}`,
    OTEL_SERVICE_NAME: "event-tool-test",
  });
  for (let acked = 0; acked < 5; acked++) {
    const line = await worker.waitForLine(/"outcome":"acked"/);
    worker.lines.splice(0, worker.lines.indexOf(line) + 1);
  }
  worker.process.kill("SIGTERM");
  assert.equal((await worker.finished).code, 0);
  await collector.shutdown();

  const traces = received.filter((r) => r.startsWith("/v1/traces ")).join("\n");
  assert.ok(traces.includes("event-tool process"), "the worker's span arrived");
  assert.ok(traces.includes("event-tool-test"), "OTEL_SERVICE_NAME was used");
  for (const { eventID } of payloads) assert.ok(traces.includes(eventID), `span for ${eventID}`);
});
