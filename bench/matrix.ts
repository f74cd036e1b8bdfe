/**
 * The standard run behind docs/BENCHMARKS.md, in one process so its ratios compare like with
 * like: warm-up; the head-to-head cases (the worker, with acks on the stream and as RPCs, the
 * plain client and the Go peer, each its own process on its own backlog, measured from /proc,
 * twice); the validator's cost; the pool × latency grid against the plain client; the wait for a
 * permit; the 100,000 backlog; scale-out; steady publishing; the publisher.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { sleep } from "../src/base/async.ts";
import type { Config } from "../src/config/settings.ts";
import { BUILT_IN_SCHEMA_PATH } from "../src/event/contract.ts";
import { freePort } from "../src/pubsub/emulator.ts";
import { logger } from "../src/telemetry/log.ts";
import { consoleCost } from "./cases/console_cost.ts";
import { drain } from "./cases/drain.ts";
import { exactlyOnceRows } from "./cases/exactly_once.ts";
import { buildGoPeer } from "./cases/go_peer.ts";
import { peerProcess } from "./cases/peers.ts";
import { toolProcess } from "./cases/worker_process.ts";
import { type ProfileSummary, profileWorker } from "./cases/profile.ts";
import { publishOnly } from "./cases/publish.ts";
import type { CaseResult } from "./measure/result.ts";
import { scaleOut } from "./cases/scale_out.ts";
import { type StartUp, startUp } from "./cases/startup.ts";
import { steady } from "./cases/steady.ts";

export const GRID_POOLS = [10, 100, 1000];
export const GRID_LATENCIES = [1, 20, 100];
/** Events of the ceiling and no-op head-to-head cases. */
export const NOOP_EVENTS = 40_000;
/** The paced case: `--rate-limit` (events/s) and its backlog. */
export const PACE_RATE = 200;
export const PACE_EVENTS = 4000;
/** Events of the memory case. */
export const BACKLOG_EVENTS = 100_000;

const log = logger("bench");

/** Events for a drain case: about `seconds` of work at the expected rate, within limits. */
function eventsFor(expectedRate: number, max: number, seconds = 5): number {
  return Math.max(500, Math.min(max, Math.round(expectedRate * seconds)));
}

/** The plain client holds each lease slot for the handler plus ~100 ms of ack batching. */
function plainRate(pool: number, latencyMs: number): number {
  return pool / ((latencyMs + 100) / 1000);
}

/**
 * The HTTP handler: the worker process delivers to a receiver in this process that answers 204
 * after 20 ms, at P=100 (bound 5,000/s).
 */
async function httpCase(client: PubSub, config: Config, max: number): Promise<CaseResult> {
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (r) => {
    await r.body?.cancel();
    await sleep(20);
    return new Response(null, { status: 204 });
  });
  try {
    const r = await toolProcess(client, config, {
      pool: 100,
      latencyMs: 20,
      events: eventsFor(5000, max),
      bound: 5000,
      variant: "http",
      handlerUrl: new URL(`http://127.0.0.1:${port}/events`),
    });
    return r;
  } finally {
    await server.shutdown();
  }
}

/** What the matrix measured besides the rows: the ceiling and whether the Go peer ran. */
export interface MatrixOutcome {
  ceiling: number;
  /** Why the Go peer did not run, when it did not. */
  goMissing: string | undefined;
  /** Where the worker process's CPU went on the no-op backlog. */
  profile: ProfileSummary;
  /** The worker process's cost before its first event. */
  startUp: StartUp;
}

/** Runs the standard cases, handing each result to `run`. */
export async function matrix(
  client: PubSub,
  config: Config,
  run: (r: CaseResult) => void,
): Promise<MatrixOutcome> {
  const max = config.events;
  const goMissing = await buildGoPeer();
  if (goMissing) log.warning("The Go peer will not run: {why}", { why: goMissing });
  // Warm the emulator's JVM up first: a cold ceiling would understate every bound.
  await drain(client, config, "event-tool", { pool: 1000, latencyMs: 0, events: max });

  // The worker's start-up, which also warms V8's code cache under the worker's own flags (the
  // bench process ran under others): without it, round 1 paid a whole compile (+350–550 ms).
  const started = await startUp(client, config);

  // Head to head: each consumer its own process on its own backlog, CPU and peak RSS read from
  // /proc the same way for all; two rounds, so the report gives the spread. The bare stream is
  // the package's StreamingPull with the Go design's per-event work and nothing else: what any
  // Deno consumer of the package costs at least.
  const noop = { pool: 1000, latencyMs: 0, events: NOOP_EVENTS };
  const slow = { pool: 100, latencyMs: 20, events: eventsFor(5000, max), bound: 5000 };
  const noops: CaseResult[] = [];
  for (const round of [1, 2]) {
    const tag = (variant?: string) => {
      const name = [variant, round === 2 ? "round 2" : undefined].filter(Boolean).join(", ");
      return name ? { variant: name } : {};
    };
    const consumers = goMissing ? ["plain-client"] as const : ["plain-client", "go-peer"] as const;
    noops.push(await toolProcess(client, config, { ...noop, ...tag() }));
    noops.push(
      await toolProcess(client, config, { ...noop, ackVia: "rpc", ...tag("ack-via rpc") }),
    );
    // The bare stream (no handler to sleep in) runs the no-op case only: the floor.
    for (const peer of [...consumers, "bare-stream"] as const) {
      noops.push(await peerProcess(client, config, peer, { ...noop, ...tag() }));
    }
    run(await toolProcess(client, config, { ...slow, ...tag() }));
    for (const peer of consumers) {
      run(await peerProcess(client, config, peer, { ...slow, ...tag() }));
    }
  }
  // The console's cost: the same 5,000/s case without and with a page open, three rounds of
  // twice its events (the start-up's share of the CPU, and so its noise, halves).
  await consoleCost(client, config, 2 * slow.events, run);
  const ceiling = Math.max(...noops.map((r) => r.eventsPerSecond));
  for (const r of noops) run({ ...r, bound: ceiling, ceiling });
  // Ordered: 100 users' events on an ordered subscription, 20 ms handler, pool 100: each key
  // one at a time, so the bound is min(pool, keys) ÷ handler time = 5,000/s.
  const ordered = {
    pool: 100,
    latencyMs: 20,
    events: eventsFor(5000, max),
    keys: 100,
    bound: 5000,
  };
  run(await toolProcess(client, config, { ...ordered, variant: "ordered" }));
  if (!goMissing) {
    run(await peerProcess(client, config, "go-peer", { ...ordered, variant: "ordered" }));
  }
  // The pace: --rate-limit 200/s on a 4,000-event no-op backlog, its rate in each 5 s window.
  run(
    await toolProcess(client, config, {
      pool: 100,
      latencyMs: 0,
      events: PACE_EVENTS,
      rateLimit: PACE_RATE,
      variant: "pace",
      bound: PACE_RATE,
    }),
  );
  // The same no-op drain with the built-in contract given as --schema: the validator's cost.
  run({
    ...await toolProcess(client, config, {
      ...noop,
      bound: ceiling,
      variant: "schema",
      schema: BUILT_IN_SCHEMA_PATH,
    }),
    ceiling,
  });

  for (const pool of GRID_POOLS) {
    for (const latencyMs of GRID_LATENCIES) {
      const bound = Math.min(pool / (latencyMs / 1000), ceiling);
      run(
        await drain(client, config, "event-tool", {
          pool,
          latencyMs,
          events: eventsFor(bound, max),
        }, ceiling),
      );
      run(
        await drain(client, config, "plain-client", {
          pool,
          latencyMs,
          events: eventsFor(Math.min(plainRate(pool, latencyMs), bound), max),
        }, ceiling),
      );
    }
  }
  // The wait for a permit at P=10, L=100 ms: the adaptive window against the old fixed rule.
  const old = await drain(client, config, "event-tool", {
    pool: 10,
    latencyMs: 100,
    window: 210,
    events: 500,
  }, ceiling);
  run({ ...old, name: `${old.name} window=210 (the old fixed rule)`, variant: "window=210" });

  run(
    await toolProcess(client, config, {
      pool: 1000,
      latencyMs: 0,
      events: BACKLOG_EVENTS,
      variant: "backlog",
      bound: ceiling,
    }),
  );
  run(await httpCase(client, config, max));
  // Exactly-once against the default mode, on the fake server (the emulator has none).
  for (const row of await exactlyOnceRows(config)) run(row);
  run(await scaleOut(client, config, 10, 100, 1500, "scale-out"));
  run(await scaleOut(client, config, 10, 100, 300, "scale-out small"));
  const steadySpec = { pool: 100, latencyMs: 0, events: 0 };
  run(await steady(client, config, "event-tool", steadySpec, 1000, config.duration));
  run(await steady(client, config, "plain-client", steadySpec, 1000, config.duration));
  run(await publishOnly(client, config, BACKLOG_EVENTS, "event-tool"));
  run(await publishOnly(client, config, BACKLOG_EVENTS, "plain-client"));
  const profile = await profileWorker(client, config, NOOP_EVENTS);
  return { ceiling, goMissing, profile, startUp: started };
}
