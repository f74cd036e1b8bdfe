/**
 * Cases 16–18, ordered work and a pace, on the emulator with an HTTP receiver that records each
 * request's start and end, with the settings users get (the default 5 delivery attempts and 3
 * retries in place). 16: 50 users × 40 events published with their user as ordering key to an
 * ordered subscription, a receiver that sleeps 0–20 ms and fails the first call of 10% of events:
 * each user's successful deliveries follow publish order, no two of a user overlap, none is lost
 * or dead-lettered, and a failure costs its retry in place, not its key's turn through Pub/Sub;
 * 16b is the same with no failure, to show what the emulator and these cores allow at best (it
 * runs first, so 16 and 16c report their rate against it); 16c fails the first 3 calls of 5% of
 * events. 17: --key-concurrency 2 by --key-from field:userID never runs three of a user at once.
 * 18: --rate-limit 100/s never starts more than the limit in a second, and a receiver answering
 * 429 for 3 s lowers the rate, which then recovers, with nothing lost or dead-lettered.
 * (The emulator ignores the per-stream flow control the worker sends and pushes the backlog into
 * the streams; while the worker holds its whole window it stops reading them, and what waits
 * unread in a stream is leased to it without its knowing, so those leases run out and the
 * emulator delivers the same messages again: the later copy is acked as a duplicate without
 * running the handler, which is why case 18 reports duplicates. Pub/Sub sends no more than the
 * limit a stream asked for.)
 */
import assert from "node:assert/strict";
import { fakeEvent, type Payload } from "../../src/event/payload.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { sleep } from "../../src/base/async.ts";
import { median } from "../../src/ops/usage.ts";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { envFor } from "../support/pubsub.ts";
import {
  countLost,
  freshBacklog,
  report,
  ROUNDS_VARIABLE,
  since,
  tallied,
} from "../support/reliability.ts";
import { waitFor } from "../support/wait.ts";

interface Call {
  user: string;
  seq: number;
  start: number;
  end: number;
  status: number;
}

/**
 * A receiver that records every call; `answer` decides the status (after a 0–20 ms sleep) from
 * the event and how many times it was called for it (1 on its first call: the worker's retries in
 * place keep Pub/Sub's delivery attempt, so the receiver counts calls itself).
 */
function receiver(
  answer: (event: { eventID: string; userID: string; seq: number }, call: number) => number,
) {
  const calls: Call[] = [];
  const callsOf = new Map<string, number>();
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (r) => {
    const start = performance.now();
    const event = await r.json() as { eventID: string; userID: string; seq: number };
    const call = (callsOf.get(event.eventID) ?? 0) + 1;
    callsOf.set(event.eventID, call);
    await sleep(Math.random() * 20);
    const status = answer(event, call);
    calls.push({ user: event.userID, seq: event.seq, start, end: performance.now(), status });
    return new Response(null, { status });
  });
  return { calls, url: `http://127.0.0.1:${port}/events`, server };
}

/** `users` × `each` events, the user's `seq` in publish order, keyed by user when `keyed`. */
function userEvents(users: number, each: number, keyed: boolean): Payload[] {
  const ids = Array.from({ length: users }, () => crypto.randomUUID());
  const payloads: Payload[] = [];
  for (let seq = 0; seq < each; seq++) {
    for (const userID of ids) {
      const event = { ...fakeEvent(), userID, seq };
      payloads.push({
        eventID: event.eventID,
        data: new TextEncoder().encode(JSON.stringify(event)),
        ...(keyed ? { orderingKey: userID } : {}),
      });
    }
  }
  return payloads;
}

/** The most calls of one user that overlapped in time. */
function maxOverlap(calls: Call[]): number {
  let most = 0;
  const byUser = Map.groupBy(calls, (c) => c.user);
  for (const list of byUser.values()) {
    const edges = list.flatMap((c) => [[c.start, 1], [c.end, -1]] as [number, number][])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    for (const [, step] of edges) most = Math.max(most, open += step);
  }
  return most;
}

/** A gap between a success and the next call of its user longer than this waited for it. */
const TURN_MS = 10;

/**
 * Where one user's time went, averaged over the users: in the handler (and of that, in failed
 * calls), waiting after a failed call for the next (its redelivery and the given-back events
 * behind it), and between a success and the next call: short gaps (the turn from one call to the
 * next; their median too) and longer ones (the next event was not there yet: given back, or not
 * yet delivered).
 */
function perUser(calls: Call[]) {
  let handler = 0, failed = 0, afterFailure = 0, turns = 0, waits = 0;
  const gaps: number[] = [];
  const byUser = Map.groupBy(calls, (c) => c.user);
  for (const list of byUser.values()) {
    list.sort((a, b) => a.start - b.start);
    list.forEach((c, i) => {
      handler += c.end - c.start;
      if (c.status !== 204) failed += c.end - c.start;
      const next = list[i + 1];
      if (next === undefined) return;
      const gap = next.start - c.end;
      if (c.status !== 204) afterFailure += gap;
      else if (gap > TURN_MS) waits += gap;
      else (turns += gap, gaps.push(gap));
    });
  }
  gaps.sort((a, b) => a - b);
  const users = byUser.size;
  return {
    handlerMs: handler / users,
    failedMs: failed / users,
    afterFailureMs: afterFailure / users,
    turnsMs: turns / users,
    waitsMs: waits / users,
    gapP50Ms: gaps[Math.floor(gaps.length / 2)] ?? 0,
  };
}

/** Events per second from the first call to the last answer: the worker's start-up is not work. */
function callRate(calls: Call[]): number {
  const seconds = (Math.max(...calls.map((c) => c.end)) - Math.min(...calls.map((c) => c.start))) /
    1000;
  return calls.filter((c) => c.status === 204).length / seconds;
}

/** Case 16b's rate and mean per-user span in this run (it runs first), for 16 and 16c. */
let noFailure: { rate: number; spanMs: number; time: ReturnType<typeof perUser> } | undefined;

/**
 * Cases 16b (no failure: what the emulator and these two cores allow at best), 16 (the first call
 * of 10% of events fails) and 16c (the first 3 calls of 5% of events fail), with the defaults.
 */
const ORDERED_CASES = [
  { label: "16b. ordered keys, no failures", share: 0, fails: 0 },
  { label: "16. ordered keys", share: 0.1, fails: 1 },
  { label: "16c. ordered keys, 3 failures in a row", share: 0.05, fails: 3 },
] as const;
/**
 * Rounds of the three ordered cases: 1 in `deno task test`; `deno task reliability` runs
 * {@linkcode ROUNDS_VARIABLE}=5 and reports case 16 against 16b as the median of the rounds'
 * ratios with their range (one round on two shared cores varies by ±30%: 88–130% measured).
 */
const ROUNDS = Math.max(1, Number(Deno.env.get(ROUNDS_VARIABLE) ?? "1") || 1);
/**
 * Case 16's rate and per-user rate against case 16b's, one pair per round (percent); the best
 * per-user rate its failed calls allow (16b's span plus their own handler time); and where case
 * 16's extra time per user went (ms): the failed calls, the retries' turn, longer gaps waiting for
 * the emulator's hand-over and the short turns, each against its own 16b; 16b's gaps themselves.
 */
const against16b = {
  rate: [] as number[],
  perUser: [] as number[],
  best: [] as number[],
  failedMs: [] as number[],
  retryMs: [] as number[],
  gapsMs: [] as number[],
  turnsMs: [] as number[],
  gaps16bMs: [] as number[],
};
for (let round = 1; round <= ROUNDS; round++) {
  for (const { label, share, fails } of ORDERED_CASES) {
    orderedCase(label, share, fails, round);
  }
}

/** One ordered case of {@linkcode ORDERED_CASES} in round `round`; the last round reports. */
function orderedCase(label: string, share: number, fails: number, round: number): void {
  const name = ROUNDS === 1 ? label : `${label}, round ${round} of ${ROUNDS}`;
  integrationTest(
    `reliability: per-user order with a concurrent pool on an ordered subscription (${name})`,
    async () => {
      const start = performance.now();
      const { config, publishedFrom, payloads } = await freshBacklog(
        { messageOrdering: true },
        userEvents(50, 40, true),
      );
      const failing = new Set(
        payloads.filter(() => Math.random() < share).map((p) => p.eventID),
      );
      const service = receiver((event, call) =>
        failing.has(event.eventID) && call <= fails ? 500 : 204
      );
      try {
        const outcomes = new Outcomes();
        // The defaults users get: 5 delivery attempts, 3 retries in place.
        const worker = spawnCli(["worker", "--pool-size", "100", "--handler-url", service.url], {
          ...envFor(config),
          WORKER_SUMMARY_INTERVAL: "0",
        });
        const retries: string[] = [];
        worker.onLine((line) => /tried again in place/.test(line) && retries.push(line));
        outcomes.follow(worker);
        await outcomes.until(
          () =>
            outcomes.processedCounts().size + outcomes.count("dead-lettered") >= payloads.length,
          120_000,
          "all",
        );
        worker.process.kill("SIGTERM");
        assert.equal((await worker.finished).code, 0);
        const { lost } = await countLost(config, payloads, outcomes, publishedFrom);
        assert.equal(lost, 0);
        assert.equal(outcomes.count("dead-lettered"), 0, "nothing dead-lettered");
        assert.equal(outcomes.processedCounts().size, payloads.length, "every event acked");
        const ok = service.calls.filter((c) => c.status === 204);
        for (
          const [user, list] of Map.groupBy(ok.sort((a, b) => a.start - b.start), (c) => c.user)
        ) {
          const seqs = list.map((c) => c.seq);
          assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `user ${user} in publish order`);
        }
        assert.equal(maxOverlap(service.calls), 1, "no two deliveries of a user at once");
        const failed = service.calls.length - ok.length;
        const nacked = outcomes.count("nacked");
        const time = perUser(service.calls);
        const f0 = (ms: number) => ms.toFixed(0);
        const meanMs = service.calls.reduce((s, c) => s + c.end - c.start, 0) /
          service.calls.length;
        const bound = Math.min(100, 50) / (meanMs / 1000);
        const rate = callRate(service.calls);
        // A user's 40 events from its first call to its last answer, on average over the users:
        // steadier than the run's rate, which the slowest user decides.
        const spanMs = time.handlerMs + time.afterFailureMs + time.turnsMs + time.waitsMs;
        if (fails === 0) noFailure = { rate, spanMs, time };
        if (noFailure && share === 0.1) {
          against16b.rate.push((100 * rate) / noFailure.rate);
          against16b.perUser.push((100 * noFailure.spanMs) / spanMs);
          // The failed calls take their time (the service sleeps before its 500): no worker can
          // do better than 16b's span plus that time, per user.
          const failedMs = time.failedMs;
          against16b.best.push((100 * noFailure.spanMs) / (noFailure.spanMs + failedMs));
          against16b.failedMs.push(failedMs);
          against16b.retryMs.push(time.afterFailureMs);
          against16b.gapsMs.push(time.waitsMs - noFailure.time.waitsMs);
          against16b.turnsMs.push(time.turnsMs - noFailure.time.turnsMs);
          against16b.gaps16bMs.push(noFailure.time.waitsMs);
        }
        const against = fails === 0 || noFailure === undefined ? "" : ` = ` +
          `${Math.round((100 * rate) / noFailure.rate)}% of case 16b's rate in this round (per ` +
          `user: ${f0(spanMs)} ms for its 40 events against 16b's ${f0(noFailure.spanMs)} ms, ` +
          `${Math.round((100 * noFailure.spanMs) / spanMs)}% of its rate)` +
          (share === 0.1 && ROUNDS > 1 ? medianAgainst16b() : "");
        if (round < ROUNDS) return; // the last round reports
        await report({
          case: label,
          injected: "50 users × 40 events, ordering key userID on an ordered subscription, " +
            `defaults (5 attempts, 3 retries in place); the service sleeps 0–20 ms and ${
              fails === 0
                ? "never fails"
                : `fails the first ${fails === 1 ? "call" : `${fails} calls`} of ` +
                  `${100 * share}% of events with 500`
            }`,
          eventsIn: payloads.length,
          ...tallied(outcomes),
          lost,
          seconds: since(start),
          notes: `every user's successful deliveries in publish order, at most 1 in flight per ` +
            `user, every event acked, none dead-lettered; ${failed} failed calls, ` +
            `${retries.length} tried again in place, ${nacked} nacks (` +
            `${outcomes.lines.filter((l) => l.reason === "key-failed").length} later events ` +
            `given back); ${Math.round(rate)} events/s from the first call to the last${against}` +
            ` = ${Math.round((100 * rate) / bound)}% of min(pool, keys) ÷ mean handler time ` +
            `(${meanMs.toFixed(1)} ms; timing is reported, not asserted). Per user, on average: ` +
            `${f0(time.handlerMs)} ms in the handler, ${f0(time.afterFailureMs)} ms from its ` +
            `failed calls to its next call (the retry in place: at once, then the retry ` +
            `policy's 1 s), ${f0(time.waitsMs)} ms in gaps over ${TURN_MS} ms after a success ` +
            `(the next event not there yet: the emulator hands a key's next event over only ` +
            `after the ack) and ${f0(time.turnsMs)} ms in shorter ones (median ` +
            `${time.gapP50Ms.toFixed(1)} ms: the ack, the emulator's hand-over and the HTTP ` +
            `round trip, on two cores shared with the emulator and this receiver)`,
        });
      } finally {
        await service.server.shutdown();
      }
    },
  );
}

/** Case 16 against 16b over the rounds so far: the medians and ranges of both ratios. */
function medianAgainst16b(): string {
  const mid = (xs: number[]) => Math.round(median(xs) ?? NaN);
  const range = (xs: number[], unit: string) =>
    `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}${unit}`;
  const { rate, perUser, best, failedMs, retryMs, gapsMs, turnsMs, gaps16bMs } = against16b;
  return `; over ${rate.length} rounds, each against its own 16b: median ` +
    `**${mid(rate)}%** of 16b's rate (range ${range(rate, "%")}), per user ` +
    `**${mid(perUser)}%** (range ${range(perUser, "%")}); the failed calls' own ` +
    `handler time alone bounds the per-user figure at ${mid(best)}% ` +
    `(range ${range(best, "%")}). Case 16's extra time per user against its 16b (medians): ` +
    `${mid(failedMs)} ms in the failed calls themselves, ${mid(retryMs)} ms in the retries' turn ` +
    `(the worker's), ${mid(gapsMs)} ms more in gaps waiting for the emulator's next event (16b's ` +
    `own gaps ranged ${range(gaps16bMs, " ms")} over the rounds) and ${mid(turnsMs)} ms in short ` +
    `turns`;
}

integrationTest("reliability: --key-concurrency 2 never runs three of a key at once", async () => {
  const start = performance.now();
  const { config, publishedFrom, payloads } = await freshBacklog({}, userEvents(10, 30, false));
  const service = receiver(() => 204);
  try {
    const outcomes = new Outcomes();
    const worker = spawnCli([
      "worker",
      "--pool-size",
      "100",
      "--handler-url",
      service.url,
      "--key-from",
      "field:userID",
      "--key-concurrency",
      "2",
    ], { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" });
    outcomes.follow(worker);
    await outcomes.until(() => outcomes.processedCounts().size >= payloads.length, 60_000, "all");
    worker.process.kill("SIGTERM");
    assert.equal((await worker.finished).code, 0);
    const most = maxOverlap(service.calls);
    assert.equal(most, 2, "two of a key at once, never three");
    const { lost } = await countLost(config, payloads, outcomes, publishedFrom);
    assert.equal(lost, 0);
    await report({
      case: "17. key concurrency",
      injected: "10 users × 30 events, --key-from field:userID --key-concurrency 2, pool 100",
      eventsIn: payloads.length,
      ...tallied(outcomes),
      lost,
      seconds: since(start),
      notes: `at most ${most} calls of a user overlapped`,
    });
  } finally {
    await service.server.shutdown();
  }
});

integrationTest(
  "reliability: --rate-limit holds the pace and a 429 slows it, nothing lost",
  async () => {
    const start = performance.now();
    const { config, publishedFrom, payloads } = await freshBacklog({}, 1000);
    let throttleUntil = 0;
    const service = receiver(() => performance.now() < throttleUntil ? 429 : 204);
    const metricsPort = freePort();
    const rate = () =>
      fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text()).then((t) =>
        Number(/^event_tool_rate_limit_per_second (\S+)/m.exec(t)?.[1])
      );
    try {
      const outcomes = new Outcomes();
      const worker = spawnCli([
        "worker",
        "--pool-size",
        "50",
        "--handler-url",
        service.url,
        "--rate-limit",
        "100/s",
      ], { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0", METRICS_PORT: String(metricsPort) });
      outcomes.follow(worker);
      await outcomes.until(() => outcomes.count("acked") >= 200, 30_000, "200 acked");
      throttleUntil = performance.now() + 3000;
      const throttled = performance.now();
      // The rate is a gauge, read from the snapshot (at most a second old): waited for while
      // the 429s last, not read after a fixed sleep.
      let slowed = NaN;
      await waitFor(async () => (slowed = await rate()) < 100, {
        timeoutMs: 3000,
        intervalMs: 100,
        what: "the rate to fall below the limit while the service answers 429",
        progress: () => `${slowed}/s`,
      });
      const fellAfter = Math.round(performance.now() - throttled);
      await outcomes.until(() => outcomes.processedCounts().size >= payloads.length, 60_000, "all");
      let recovered = NaN;
      await waitFor(async () => (recovered = await rate()) === 100, {
        timeoutMs: 5000,
        what: "the rate back at the limit",
        progress: () => `${recovered}/s`,
      });
      worker.process.kill("SIGTERM");
      assert.equal((await worker.finished).code, 0);
      // Never faster than the limit: starts in any second (plus the bucket's burst of 10).
      const starts = service.calls.map((c) => c.start).sort((a, b) => a - b);
      let most = 0;
      for (let i = 0, j = 0; i < starts.length; i++) {
        while ((starts[i] ?? 0) - (starts[j] ?? 0) >= 1000) j++;
        most = Math.max(most, i - j + 1);
      }
      assert.ok(most <= 115, `${most} starts in one second (limit 100/s)`);
      assert.equal(outcomes.count("dead-lettered"), 0, "nothing dead-lettered for the 429s");
      const { lost } = await countLost(config, payloads, outcomes, publishedFrom);
      assert.equal(lost, 0);
      await report({
        case: "18. pace",
        injected: "--rate-limit 100/s on 1,000 events; the service answers 429 for 3 s mid-run",
        eventsIn: payloads.length,
        ...tallied(outcomes),
        lost,
        seconds: since(start),
        notes: `at most ${most} starts in any second; the rate fell to ${slowed}/s ` +
          `${fellAfter} ms after the 429s began (as /metrics showed it) and recovered to 100/s; ` +
          `${service.calls.filter((c) => c.status === 429).length} calls answered 429`,
      });
    } finally {
      await service.server.shutdown();
    }
  },
);
