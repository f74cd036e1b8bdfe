/**
 * Case 10, redirects: the HTTP service answers POST /events with redirects (301 to a path of its
 * own, as an http→https balancer does; 307 to another origin). No event is acked, nothing (body,
 * API key) reaches the other URL, each event is nacked `redirected`; once the service answers
 * 2xx, every event is delivered with its body and acked. Lost is counted before the fix, with no
 * worker running, on a subscription that keeps no acked event.
 */
import assert from "node:assert/strict";
import { freePort } from "../../src/pubsub/emulator.ts";
import { jsonLogs, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { envFor } from "../support/pubsub.ts";
import { countLost, freshBacklog, report, since, tallied } from "../support/reliability.ts";

const EVENTS = 30;
const SECRET = "s3cret-api-key";

integrationTest(
  "reliability: a redirecting service gets nothing acked and nothing leaks",
  async () => {
    const start = performance.now();
    const { config, publishedFrom, payloads } = await freshBacklog({}, EVENTS);
    const index = new Map(payloads.map((p, i) => [p.eventID, i]));

    const leaked: string[] = []; // requests that reached a URL other than /events
    const other = Deno.serve(
      { hostname: "127.0.0.1", port: freePort(), onListen: () => {} },
      (r) => {
        leaked.push(`${r.method} ${r.url} ${r.headers.get("authorization")}`);
        return new Response(null, { status: 204 });
      },
    );
    let fixed = false;
    const delivered = new Map<string, number>(); // eventID → POSTs with its body, once fixed
    const port = freePort();
    const service = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (r) => {
      const { pathname } = new URL(r.url);
      if (pathname !== "/events") {
        leaked.push(`${r.method} ${r.url} ${r.headers.get("authorization")}`);
        return new Response(null, { status: 204 });
      }
      const body = await r.text();
      const id = r.headers.get("ce-id") ?? "";
      if (fixed) {
        if (r.method === "POST" && JSON.parse(body).eventID === id) {
          delivered.set(id, (delivered.get(id) ?? 0) + 1);
        }
        return new Response(null, { status: 204 });
      }
      return (index.get(id) ?? 0) % 2 === 0
        ? new Response(null, { status: 301, headers: { location: "/moved?token=t0ken" } })
        : new Response(null, {
          status: 307,
          headers: { location: `http://127.0.0.1:${other.addr.port}/in` },
        });
    });
    const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" };
    const args = [
      "worker",
      "--pool-size",
      "10",
      "--handler-url",
      `http://127.0.0.1:${port}/events`,
      "--handler-header",
      `Authorization: Bearer ${SECRET}`,
    ];
    try {
      const outcomes = new Outcomes();
      const first = spawnCli(args, env);
      outcomes.follow(first);
      const redirected = () =>
        new Set(outcomes.lines.filter((l) => l.reason === "redirected").map((l) => l.eventID));
      await outcomes.until(() => redirected().size >= EVENTS, 60_000, "every event redirected");
      first.process.kill("SIGTERM");
      assert.equal((await first.finished).code, 0);
      const acked = outcomes.count("acked");
      assert.equal(acked, 0, "no redirected event was acked");
      assert.deepEqual(leaked, [], "nothing reached another URL");
      const logs = jsonLogs(first.lines);
      assert.ok(!first.lines.some((l) => l.includes(SECRET) || l.includes("t0ken")), "no secret");
      const warnings = logs.filter((l) => /redirects are not followed/.test(String(l.message)));
      assert.equal(warnings.length, 2, "one warning per Location");
      const { lost, held } = await countLost(config, payloads, outcomes, publishedFrom);
      assert.equal(lost, 0);
      assert.equal(held, EVENTS, "every event still on the subscription");

      fixed = true;
      const second = spawnCli(args, env);
      outcomes.follow(second);
      await outcomes.until(
        () => outcomes.processedCounts().size >= EVENTS,
        60_000,
        "every event acked once the service is fixed",
      );
      second.process.kill("SIGTERM");
      assert.equal((await second.finished).code, 0);
      assert.ok(payloads.every((p) => (delivered.get(p.eventID) ?? 0) >= 1), "each body POSTed");
      await report({
        case: "10. redirects",
        injected: "the service answers 301 (same origin) or 307 (another origin) to every POST; " +
          "then it is fixed",
        eventsIn: EVENTS,
        ...tallied(outcomes),
        lost,
        seconds: since(start),
        notes:
          `${redirected().size} events nacked redirected, 0 acked, 0 requests to another URL, ` +
          `${warnings.length} warnings (one per Location), no credential in any line; lost ` +
          `counted before the fix (${held} held); all delivered with their body once fixed`,
      });
    } finally {
      await service.shutdown();
      await other.shutdown();
    }
  },
);
