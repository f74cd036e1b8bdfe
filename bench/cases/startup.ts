/**
 * The worker process's fixed cost: CPU and peak memory from exec to ready (connected, streams
 * open), measured from /proc like every process case. Every drain's per-event figures include it
 * once.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { sleep } from "../../src/base/async.ts";
import type { Config } from "../../src/config/settings.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { withTopology } from "../measure/topology.ts";
import { spawnWorker } from "./worker_process.ts";
import { watchProc } from "../measure/proc.ts";

/** What the worker process costs before its first event (the median of a few starts). */
export interface StartUp {
  /**
   * The first start's CPU, ms: V8's code cache of the previous run was written under other flags
   * (the bench's own process), so this start compiles every module and rewrites the cache.
   */
  firstCpuMs: number;
  /** CPU from exec to ready (start-up, preflight, streams opened), with a warm cache, ms. */
  cpuMs: number;
  /** The lowest and highest of the starts, ms. */
  cpuRangeMs: [number, number];
  /** Peak resident memory by then, MB. */
  peakRssMb: number;
}

/**
 * One start to warm V8's code cache under the worker's flags (run it before any measured process
 * case), then the median of `times` more (see {@linkcode startOnce}): one start is noisy on shared
 * cores.
 */
export async function startUp(client: PubSub, base: Config, times = 3): Promise<StartUp> {
  const first = await startOnce(client, base);
  const runs: { cpuMs: number; peakRssMb: number }[] = [];
  for (let i = 0; i < times; i++) runs.push(await startOnce(client, base));
  const middle = <T>(list: T[]) => list[Math.floor(list.length / 2)] as T;
  const cpu = runs.map((r) => r.cpuMs).sort((a, b) => a - b);
  return {
    firstCpuMs: first.cpuMs,
    cpuMs: middle(cpu),
    cpuRangeMs: [cpu[0] ?? 0, cpu.at(-1) ?? 0],
    peakRssMb: middle(runs.map((r) => r.peakRssMb).sort((a, b) => a - b)),
  };
}

/**
 * Starts `event-tool worker` on an empty subscription and reads its CPU and peak RSS as soon as
 * it is ready (connected, streams open): the fixed cost every drain's figures include.
 */
function startOnce(client: PubSub, base: Config): Promise<{ cpuMs: number; peakRssMb: number }> {
  return withTopology(client, base, async (config) => {
    const port = freePort();
    const child = spawnWorker(config, { pool: 1000, latencyMs: 0, port });
    const watch = watchProc(child.pid);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await sleep(100);
      // /readyz, not /metrics: a scrape costs the worker CPU (prom-client's event-loop figures).
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        async (r) => (await r.body?.cancel(), r.status),
        () => 0,
      );
      if (status === 200) break;
    }
    const usage = await watch.stop();
    child.kill("SIGTERM");
    await child.status;
    return { cpuMs: usage.cpuMs, peakRssMb: usage.peakRssBytes / (1024 * 1024) };
  });
}
