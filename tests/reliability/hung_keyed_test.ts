/**
 * Case 5b, a hung keyed handler: the first event of one user's key hangs, ignoring its abort
 * signal, while 10 later events of that user wait behind it (`--key-from field:userID` on an
 * unordered subscription, so they are all delivered and held). Two runs:
 * - with a handler timeout, the key moves on: each timed-out run counts as failed (the event is
 *   never called again beside its hung call), it is dead-lettered after 5 and the user's later
 *   events run, in order; other users never wait.
 * - without one (`--handler-timeout off`, the only way a key can stay stuck), `/healthz` fails and
 *   names the key once it has run one event past `--max-lease`, and over 10 max-lease cycles (the
 *   waiting events given back and delivered again each time) the worker holds no more than the
 *   user's 10 events: memory stays flat.
 * Both runs shorten the handler timeout and the max lease (defaults 30 s and 60 min) so that
 * they take seconds; with the defaults the same happens, slower.
 */
import assert from "node:assert/strict";
import { fakeEvent, type Payload } from "../../src/event/payload.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { envFor } from "../support/pubsub.ts";
import { countLost, freshBacklog, report, since } from "../support/reliability.ts";
import { waitFor } from "../support/wait.ts";

const LATER = 10;
const OTHERS = 40;

/** The hung user's first event and 10 later ones, then 40 events of other users. */
function events(user: string): Payload[] {
  const encode = (event: object) => new TextEncoder().encode(JSON.stringify(event));
  const mine = Array.from({ length: LATER + 1 }, () => ({ ...fakeEvent(), userID: user }));
  const others = Array.from({ length: OTHERS }, () => fakeEvent());
  return [...mine, ...others].map((e) => ({ eventID: e.eventID, data: encode(e) }));
}

/** What the hanging module writes on stderr at each call of the hung event. */
const CALLED = "hung event called";

/**
 * A handler module whose call for `eventID` ignores its signal until `release` exists; each such
 * call writes {@linkcode CALLED} on stderr.
 */
async function hangingModule(eventID: string, release: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    path,
    `export default async function (event) {
  if (event.eventID !== ${JSON.stringify(eventID)}) return;
  console.error(${JSON.stringify(CALLED)});
  for (;;) {
    try { await Deno.stat(${JSON.stringify(release)}); return; } catch { /* still hung */ }
    await new Promise((r) => setTimeout(r, 100));
  }
}
`,
  );
  return path;
}

/** One metric's value from a worker's /metrics. */
async function metric(port: number, name: string): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics?name[]=${name}`).then((r) => r.text());
  return Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1]);
}

integrationTest("reliability: a hung keyed handler never holds its key for good", async () => {
  const started = performance.now();
  const user = crypto.randomUUID();
  const release = `${await Deno.makeTempDir()}/release`;
  const notes: string[] = [];
  let eventsIn = 0;
  let processed = 0;
  let deadLettered = 0;
  let lostAll = 0;
  for (const timeout of ["500ms", "off"]) {
    // A short retry backoff, so each max-lease cycle is short. Each cycle gives the waiting events
    // back to Pub/Sub, a delivery it counts: its dead-letter policy would forward them after the
    // default 5, so ten cycles need more (a stuck key fails /healthz long before, for a restart).
    const { config, publishedFrom, payloads } = await freshBacklog({
      retryMinBackoff: 100,
      retryMaxBackoff: 100,
      ...(timeout === "off" ? { maxDeliveryAttempts: 20 } : {}),
    }, events(user));
    eventsIn += payloads.length;
    const [hung, ...rest] = payloads;
    const later = rest.slice(0, LATER).map((p) => p.eventID);
    const module = await hangingModule(hung!.eventID, release);
    const port = freePort();
    const outcomes = new Outcomes();
    const workerStart = Date.now();
    const worker = spawnCli([
      "worker",
      "--handler",
      module,
      "--key-from",
      "field:userID",
      "--handler-timeout",
      timeout,
      ...(timeout === "off" ? ["--max-lease", "1s"] : []),
    ], { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0", METRICS_PORT: String(port) });
    outcomes.follow(worker);
    const acked = () => outcomes.processedCounts();
    // Other users never wait for the hung one.
    await outcomes.until(
      () => rest.slice(LATER).every((p) => acked().has(p.eventID)),
      20_000,
      "the other users' events",
    );
    if (timeout !== "off") {
      await outcomes.until(() => later.every((id) => acked().has(id)), 30_000, "the key moved on");
      const lines = outcomes.lines.filter((l) => l.eventID === hung!.eventID);
      assert.deepEqual(lines.map((l) => [l.outcome, l.failedRuns]), [
        ["nacked", 4], // its retries in place spent: back to Pub/Sub
        ["dead-lettered", 5],
      ]);
      const dead = lines.at(-1);
      assert.equal(dead?.reason, "max-attempts");
      assert.match(dead?.detail ?? "", /^the handler failed 5 runs in 2 deliveries: .*still runs/);
      const order = outcomes.lines.filter((l) =>
        l.outcome === "acked" && later.includes(l.eventID!)
      )
        .map((l) => l.eventID);
      assert.deepEqual(order, later, "the user's later events in order, after it");
      const called = worker.lines.filter((line) => line === CALLED).length;
      assert.equal(called, 1, "never called again beside its hung call");
      notes.push(
        `handler timeout ${timeout}: the hung event was dead-lettered ` +
          `${((Date.parse(dead!.time) - workerStart) / 1000).toFixed(1)} s after the worker ` +
          `started (${dead?.detail}), its call ` +
          `never repeated beside itself, then its user's ${LATER} later events ran in order`,
      );
    } else {
      let body = "";
      await waitFor(async () => {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        body = await r.text();
        return r.status === 503;
      }, { timeoutMs: 10_000, what: "/healthz failing" });
      assert.match(body, new RegExp(`^not alive: key ${user} has run one event`));
      // 10 cycles: the waiting events are given back at --max-lease and delivered again.
      const held: number[] = [];
      const rss = new Map<number, number>(); // by cycle
      await waitFor(async () => {
        held.push(await metric(port, "event_tool_events_waiting_for_key"));
        const expired = await metric(port, "event_tool_leases_expired_total");
        const cycle = Math.floor(expired / (LATER + 1));
        rss.set(cycle, await metric(port, "event_tool_process_resident_memory_bytes"));
        return cycle >= 10;
      }, { timeoutMs: 60_000, what: "10 max-lease cycles" });
      const mb = (cycle: number) => ((rss.get(cycle) ?? NaN) / 2 ** 20).toFixed(0);
      // At most one copy of each of the user's events (the hung one's copy waits behind it).
      const most = Math.max(...held);
      assert.ok(most <= LATER + 1, `held ${most} waiting events, ${LATER + 1} published`);
      notes.push(
        `handler timeout off, max lease 1s: /healthz answered 503 "${body.trim()}"; over 10 ` +
          `max-lease cycles (${await metric(port, "event_tool_leases_expired_total")} leases ` +
          `given back) the worker held at most ${most} waiting events (the user has ` +
          `${LATER + 1}: one copy each); its RSS ${mb(1)} MB after the first cycle, ${mb(5)} ` +
          `after the fifth, ${mb(10)} after the tenth`,
      );
      await Deno.writeTextFile(release, ""); // the hung call ends: the key goes on
      await outcomes.until(() => later.every((id) => acked().has(id)), 30_000, "the rest");
    }
    await Deno.writeTextFile(release, "");
    worker.process.kill("SIGTERM");
    assert.equal((await worker.finished).code, 0);
    await Deno.remove(release).catch(() => {});
    await Deno.remove(module);
    const { lost } = await countLost(config, payloads, outcomes, publishedFrom);
    lostAll += lost;
    processed += acked().size;
    deadLettered += outcomes.count("dead-lettered");
  }
  await report({
    case: "5b. hung keyed handler",
    injected: `one user's first event hangs, ignoring its signal, with ${LATER} later events of ` +
      `that user (--key-from field:userID) and ${OTHERS} of others; once with --handler-timeout ` +
      "500ms, once with it off and --max-lease 1s",
    eventsIn,
    processed,
    duplicates: 0,
    deadLettered,
    lost: lostAll,
    seconds: since(started),
    notes: notes.join("; "),
  });
});
