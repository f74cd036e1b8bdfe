/**
 * Case 12, secrets: a handler URL with `user:password@` and a query token, and an API key in a
 * header. No output line of the worker shows any of them, through start-up, failures (500) and
 * success; header mistakes exit 2 naming the header and never its value, and so do handler URLs
 * and emulator addresses with credentials in an invalid form (flag, variable, or a flag commander
 * does not know).
 */
import assert from "node:assert/strict";
import { freePort } from "../../src/pubsub/emulator.ts";
import { runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { envFor } from "../support/pubsub.ts";
import { countLost, freshBacklog, report, since, tallied } from "../support/reliability.ts";

const EVENTS = 20;
const SECRETS = ["pa55word", "qu3ry-token", "api-k3y"];

integrationTest("reliability: no credential ever reaches an output line", async () => {
  const start = performance.now();
  const { config, publishedFrom, payloads } = await freshBacklog({}, EVENTS);
  const seen = new Map<string, number>();
  let authorized = 0;
  const port = freePort();
  const service = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, (r) => {
    if (r.headers.get("x-api-key") === "api-k3y" && r.headers.get("authorization")) authorized++;
    const id = r.headers.get("ce-id") ?? "";
    seen.set(id, (seen.get(id) ?? 0) + 1);
    return seen.get(id) === 1
      ? new Response("try again", { status: 500 })
      : new Response(null, { status: 204 });
  });
  const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0", LOG_LEVEL: "debug" };
  try {
    const bad = [
      ["--handler-header", "X-Api-Key: api-k3y", "--handler-header", "X Bad: api-k3y"],
      ["--handler-header", "X-Api-Key: api-k3y\u0001"],
      ["--handler-header", "Bearer api-k3y"],
    ];
    for (const args of bad) {
      const result = await runCli(
        ["worker", "--handler-url", `http://127.0.0.1:${port}/`, ...args],
        env,
      );
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.ok(!SECRETS.some((s) => result.stderr.includes(s)), result.stderr);
    }
    const badAddresses: [string[], Record<string, string>][] = [
      [["worker", "--handler-url", "https://user:pa55word@host:99999/?token=qu3ry-token"], {}],
      [["worker"], { WORKER_HANDLER_URL: "user:pa55word@127.0.0.1:99999" }],
      [["worker", "--handler-urll=http://user:pa55word@127.0.0.1/?token=qu3ry-token"], {}],
      [["setup"], { PUBSUB_EMULATOR_HOST: "http://user:pa55word@localhost:8085" }],
    ];
    for (const [args, extra] of badAddresses) {
      const result = await runCli(args, { ...env, ...extra });
      assert.equal(result.code, 2, result.stderr);
      const output = result.stdout + result.stderr;
      assert.ok(!SECRETS.some((s) => output.includes(s)), output);
    }

    const outcomes = new Outcomes();
    const worker = spawnCli([
      "worker",
      "--handler-url",
      `http://user:pa55word@127.0.0.1:${port}/events?token=qu3ry-token`,
      "--handler-header",
      "X-Api-Key: api-k3y",
    ], env);
    outcomes.follow(worker);
    await outcomes.until(() => outcomes.processedCounts().size >= EVENTS, 60_000, "all acked");
    worker.process.kill("SIGTERM");
    const result = await worker.finished;
    assert.equal(result.code, 0);
    const leaks = worker.lines.filter((line) => SECRETS.some((s) => line.includes(s)));
    assert.deepEqual(leaks, [], "no line shows a credential");
    assert.ok(
      worker.lines.some((l) => /Delivering events to http:\/\/127.0.0.1:\d+\/events\?…/.test(l)),
    );
    assert.ok(authorized >= EVENTS, "the credentials were sent to the service itself");
    const { lost } = await countLost(config, payloads, outcomes, publishedFrom);
    assert.equal(lost, 0);
    await report({
      case: "12. secrets",
      injected: "handler URL with user:password@ and a query token, an API key header, debug " +
        "logs, a 500 per event; three malformed header settings, four invalid addresses with " +
        "credentials",
      eventsIn: EVENTS,
      ...tallied(outcomes),
      lost,
      seconds: since(start),
      notes: `${worker.lines.length} worker lines and ${bad.length + badAddresses.length} ` +
        `exit-2 errors (headers, URLs, an emulator address), none showing ` +
        `a credential; ${outcomes.count("nacked")} nacks for the 500s`,
    });
  } finally {
    await service.shutdown();
  }
});
