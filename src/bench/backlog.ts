/**
 * The backlog case: the real `event-tool worker` as its own process, with the heap setting it
 * ships with, on a large backlog; its progress, RSS and CPU are read from its own /metrics.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { sleep } from "../base/async.ts";
import { toEnv } from "../config/env.ts";
import { PERMISSIONS, WORKER_V8_FLAGS } from "../config/permissions.ts";
import { type Config, TARGET, TOPOLOGY } from "../config/settings.ts";
import { randomPayloads } from "../event/payload.ts";
import { freePort } from "../pubsub/emulator.ts";
import { publishPayloads } from "../pubsub/publisher.ts";
import { withTopology } from "./fresh_topology.ts";
import { sample } from "./measure.ts";
import { type CaseResult, result } from "./result.ts";

/** The command line that runs this same tool: the executable itself, or deno with main.ts. */
function selfCommand(args: string[]): [string, string[]] {
  const exec = Deno.execPath();
  if (!/^deno(\.exe)?$/.test(exec.split(/[\\/]/).at(-1) ?? "")) return [exec, args];
  const main = new URL("../../main.ts", import.meta.url).pathname;
  return [exec, ["run", ...PERMISSIONS, WORKER_V8_FLAGS, main, ...args]];
}

/**
 * Backlog: pre-fills `events`, then runs the real `event-tool worker` as its own process with a
 * no-op handler, reading its progress, RSS and CPU from its own /metrics every 100 ms.
 */
export function backlogProcess(
  client: PubSub,
  base: Config,
  pool: number,
  events: number,
  ceiling: number | undefined,
): Promise<CaseResult> {
  return withTopology(client, base, async (config) => {
    await publishPayloads(client, config.topic, randomPayloads(events));
    const port = freePort();
    const [command, args] = selfCommand(["worker"]);
    const child = new Deno.Command(command, {
      args,
      env: toEnv(
        {
          ...config,
          poolSize: pool,
          simulateLatency: 0,
          summaryInterval: 0,
          metricsPort: port,
          logLevel: "warning",
          logFormat: "json",
        },
        [
          ...TARGET,
          ...TOPOLOGY,
          "poolSize",
          "simulateLatency",
          "summaryInterval",
          "metricsPort",
          "logLevel",
          "logFormat",
        ],
      ),
      stdout: "null",
      stderr: "null",
    }).spawn();
    const rss: number[] = [];
    let acked = 0;
    let cpuMs = 0;
    let first = 0;
    let last = 0;
    const deadline = Date.now() + 600_000;
    while (acked < events && Date.now() < deadline) {
      await sleep(100);
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => "");
      if (text === "") continue; // not listening yet
      acked = sample(text, "event_tool_events_acked_total") ?? 0;
      rss.push(sample(text, "event_tool_process_resident_memory_bytes") ?? 0);
      cpuMs = (sample(text, "event_tool_process_cpu_seconds_total") ?? 0) * 1000;
      if (acked > 0 && first === 0) first = performance.now();
      last = performance.now();
    }
    child.kill("SIGTERM");
    await child.status;
    if (acked < events) throw new Error(`backlog: only ${acked} of ${events} acked in time`);
    return result(
      {
        name: `event-tool worker process, backlog ${events}, P=${pool} L=0ms`,
        variant: "backlog",
        consumer: "event-tool",
        mode: "drain",
        pool,
        latencyMs: 0,
        events,
        seconds: (last - first) / 1000,
        ...(ceiling === undefined ? {} : { bound: ceiling }),
      },
      [],
      { cpuMs, peakRssBytes: Math.max(...rss), rssSamples: rss },
    );
  });
}
