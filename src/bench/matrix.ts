/**
 * The standard run behind docs/BENCHMARKS.md: warm-up, the ceiling, the pool × latency grid for
 * the tool and the plain client, the lease-window variants, the no-op, backlog, steady and
 * publish cases.
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../config/settings.ts";
import { backlogProcess } from "./backlog.ts";
import { drain } from "./drain.ts";
import { publishOnly } from "./publish.ts";
import type { CaseResult } from "./result.ts";
import { steady } from "./steady.ts";

export const GRID_POOLS = [10, 100, 1000];
export const GRID_LATENCIES = [1, 20, 100];
/** Pool and window of the ceiling case: far more than the emulator can feed. */
export const CEILING_POOL = 5000;

/** Events for a drain case: about `seconds` of work at the expected rate, within limits. */
function eventsFor(expectedRate: number, max: number, seconds = 5): number {
  return Math.max(500, Math.min(max, Math.round(expectedRate * seconds)));
}

/** The plain client holds each lease slot for the handler plus ~100 ms of ack batching. */
function plainRate(pool: number, latencyMs: number): number {
  return pool / ((latencyMs + 100) / 1000);
}

/** Runs the standard cases, handing each result to `run`; returns the measured ceiling. */
export async function matrix(client: PubSub, config: Config, run: (r: CaseResult) => void) {
  const max = config.events;
  // Warm the emulator's JVM up first: a cold ceiling would understate every bound.
  await drain(client, config, "event-tool", { pool: 1000, latencyMs: 0, events: max });
  // The ceiling: the best no-op rate with a very large window, from either consumer.
  const ceilingRuns = [
    await drain(client, config, "event-tool", {
      pool: CEILING_POOL,
      window: 2 * CEILING_POOL,
      latencyMs: 0,
      events: max,
    }),
    await drain(client, config, "plain-client", {
      pool: 2 * CEILING_POOL,
      latencyMs: 0,
      events: max,
    }),
  ];
  for (const r of ceilingRuns) run({ ...r, name: `ceiling: ${r.name}`, variant: "ceiling" });
  const ceiling = Math.max(...ceilingRuns.map((r) => r.eventsPerSecond));
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
  // Lease-window ablation at P=100, L=20ms: what the window buys.
  for (const window of [100, 400]) {
    const r = await drain(client, config, "event-tool", {
      pool: 100,
      latencyMs: 20,
      window,
      events: eventsFor(5000, max),
    }, ceiling);
    run({ ...r, name: `${r.name} window=${window}`, variant: `window=${window}` });
  }
  const noop = { pool: 1000, latencyMs: 0, events: max };
  run(await drain(client, config, "event-tool", noop, ceiling));
  run(await drain(client, config, "plain-client", noop, ceiling));
  run(await backlogProcess(client, config, 1000, 100_000, ceiling));
  const steadySpec = { pool: 100, latencyMs: 0, events: 0 };
  run(await steady(client, config, "event-tool", steadySpec, 1000, config.duration));
  run(await steady(client, config, "plain-client", steadySpec, 1000, config.duration));
  run(await publishOnly(client, config, 100_000));
  return ceiling;
}
