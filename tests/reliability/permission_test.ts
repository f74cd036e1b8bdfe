/**
 * Case 23, module permissions: `deno task worker` runs a module handler that writes a file outside
 * the checkout, which the task does not grant. Before, every event failed on the permission and
 * was retried until it was dead-lettered; now the worker pauses at once, says so in one error line
 * naming the scoped grant, fails /readyz, and nacks nothing until it stops. Restarted with the
 * grant the error named (`EVENT_TOOL_ALLOW`), it handles every event once. A `--schema` outside
 * the checkout is refused before anything runs (exit 2, naming the grant).
 */
import assert from "node:assert/strict";
import { freePort } from "../../src/pubsub/emulator.ts";
import { jsonLogs, runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { httpStatus } from "../support/http.ts";
import { Outcomes } from "../support/outcomes.ts";
import { envFor } from "../support/pubsub.ts";
import { countLost, freshBacklog, report, since, tallied } from "../support/reliability.ts";
import { waitFor } from "../support/wait.ts";
import { CALLED } from "./fixtures/seen_handler.ts";

const EVENTS = 20;
const HANDLER = "tests/reliability/fixtures/seen_handler.ts";
/** Probe calls the paused worker makes before the case counts what it nacked. */
const PROBES = 2;
const task = (args: string[], env: Record<string, string>) =>
  spawnCli(["task", "worker", "--handler", HANDLER, ...args], env, Deno.execPath());

integrationTest("reliability: a module lacking a permission pauses the worker once", async () => {
  const start = performance.now();
  const { config, publishedFrom, payloads } = await freshBacklog({}, EVENTS);
  const seen = await Deno.makeTempFile({ suffix: ".txt" }); // outside the checkout
  const metricsPort = freePort();
  const env = {
    ...envFor(config),
    METRICS_PORT: String(metricsPort),
    WORKER_SUMMARY_INTERVAL: "0",
    SEEN_FILE: seen,
  };
  try {
    const outcomes = new Outcomes();
    const first = task([], env);
    outcomes.follow(first);
    const error = await first.waitForLine(/"severity":"ERROR"/, 30_000);
    await waitFor(async () => await httpStatus(`http://127.0.0.1:${metricsPort}/readyz`) === 503, {
      timeoutMs: 5000,
      what: "/readyz to fail",
    });
    const readyz = await (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).text();
    // Paused, the worker probes with one held call at a time (after 1 s, then 2 s): once it
    // has probed twice, a retry loop would have nacked events by now.
    const calls = () => first.lines.filter((l) => l.startsWith(CALLED)).length;
    const probesFrom = calls();
    await waitFor(() => calls() >= probesFrom + PROBES, {
      timeoutMs: 15_000,
      what: `${PROBES} probe calls while paused`,
      progress: () => `${calls() - probesFrom} probes; ${outcomes.summary()}`,
    });
    const nackedWhilePaused = outcomes.count("nacked");
    first.process.kill("SIGTERM");
    assert.equal((await first.finished).code, 0);
    assert.equal(nackedWhilePaused, 0, "nothing retried event by event");
    assert.equal(outcomes.count("dead-lettered"), 0);
    assert.match(readyz, /^not ready: paused \(handler-permission since .*Requires write access/);
    const errors = jsonLogs(first.lines).filter((l) => l.severity === "ERROR");
    assert.equal(errors.length, 1, "said once");
    const grant = /EVENT_TOOL_ALLOW='(--allow-write=[^']+)' deno task worker/.exec(error)?.[1];
    assert.equal(grant, `--allow-write=${seen}`, error);

    const schema = await Deno.makeTempFile({ suffix: ".json" });
    const outside = await runCli(
      ["task", "worker", "--schema", schema],
      env,
      undefined,
      Deno.execPath(),
    );
    await Deno.remove(schema);
    assert.equal(outside.code, 2, outside.stderr);
    assert.match(
      outside.stderr,
      /--schema: this process may not read .*EVENT_TOOL_ALLOW='--allow-read=/,
    );

    const second = task([], { ...env, EVENT_TOOL_ALLOW: grant });
    outcomes.follow(second);
    const written = () => new Set((Deno.readTextFileSync(seen)).split("\n").filter((l) => l));
    await waitFor(() => written().size >= EVENTS, {
      timeoutMs: 30_000,
      what: "every event written",
    });
    await outcomes.until(() => outcomes.processedCounts().size >= EVENTS, 10_000, "all acked");
    second.process.kill("SIGTERM");
    assert.equal((await second.finished).code, 0);
    const { lost } = await countLost(config, payloads, outcomes, publishedFrom);
    assert.deepEqual(written(), new Set(payloads.map((p) => p.eventID)));
    const lines = Deno.readTextFileSync(seen).split("\n").filter((l) => l);
    assert.equal(lines.length, EVENTS, "each written once");
    await report({
      case: "23. module permission",
      injected: "deno task worker with a module handler that writes outside the checkout, " +
        "without the grant; then restarted with the grant its error named",
      eventsIn: EVENTS,
      ...tallied(outcomes),
      lost,
      seconds: since(start),
      notes: `paused at the first NotCapable with 1 error line naming ${grant}, /readyz 503, ` +
        `${nackedWhilePaused} nacked over ${PROBES} probes; held events nacked shutting-down at the stop; all ` +
        `handled once granted; a --schema outside the checkout exited 2 naming the grant`,
    });
  } finally {
    await Deno.remove(seen);
  }
});
