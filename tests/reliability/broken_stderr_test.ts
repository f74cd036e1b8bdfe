/**
 * Case 13, broken stderr: the reader of the worker's log goes away mid-run (EPIPE on every
 * write, as when a log shipper dies). The worker keeps working: every event is acked exactly
 * once, none is nacked or counted twice, the failed writes are counted in
 * event_tool_log_write_failures_total, and SIGTERM still drains with exit 0.
 */
import assert from "node:assert/strict";
import { sample } from "../../bench/measure/scrape.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { cliCommandLine } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, envFor, publishEvents, pull, testConfig } from "../support/pubsub.ts";
import { report, since } from "../support/reliability.ts";
import { waitFor } from "../support/wait.ts";

const EVENTS = 200;

integrationTest("reliability: a closed stderr changes no outcome and crashes nothing", async () => {
  const start = performance.now();
  const config = await testConfig({ replayWindow: 0 });
  await createTopology(config);
  const metricsPort = freePort();
  const [program, args] = cliCommandLine(["worker", "--pool-size", "20"]);
  const child = new Deno.Command(program, {
    args,
    env: {
      ...envFor(config),
      METRICS_PORT: String(metricsPort),
      WORKER_SUMMARY_INTERVAL: "1s",
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.getReader();
  let seen = "";
  while (!/Worker consuming/.test(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the worker ended before it started: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  await reader.cancel(); // the log's reader is gone: every later write fails with EPIPE
  const payloads = await publishEvents(config, EVENTS);

  const metrics = async () =>
    await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => "");
  let text = "";
  await waitFor(async () => {
    text = await metrics();
    return (sample(text, "event_tool_events_acked_total") ?? 0) >= EVENTS;
  }, { timeoutMs: 60_000, intervalMs: 200, what: `${EVENTS} acked` });
  const acked = sample(text, "event_tool_events_acked_total") ?? 0;
  const received = sample(text, "event_tool_events_received_total") ?? 0;
  const failures = sample(text, "event_tool_log_write_failures_total") ?? 0;
  const nacked = [...text.matchAll(/^event_tool_events_nacked_total\{[^}]*\} (\d+)$/gm)]
    .reduce((sum, m) => sum + Number(m[1]), 0);
  child.kill("SIGTERM");
  const status = await child.status;

  assert.equal(status.code, 0, "the worker drained and exited 0 without its stderr");
  assert.equal(acked, EVENTS, "every event acked once");
  assert.equal(received, EVENTS, "nothing redelivered");
  assert.equal(nacked, 0, "no event nacked because of a log write");
  assert.ok(failures > 0, "the failed writes are counted");
  const held = (await pull(config, config.subscription)).length;
  const lost = payloads.length - acked - held;
  assert.equal(lost, 0);
  await report({
    case: "13. broken stderr",
    injected: "the reader of the worker's stderr closed mid-run (EPIPE on every log write)",
    eventsIn: EVENTS,
    processed: acked,
    duplicates: received - acked,
    deadLettered: 0,
    lost,
    seconds: since(start),
    notes: `${failures} failed log writes counted; ${nacked} nacks; ${received} deliveries; ` +
      `exit ${status.code} after SIGTERM (outcomes read from /metrics: no log to read)`,
  });
});
