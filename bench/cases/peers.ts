/**
 * The peers as processes, measured as the worker is: the Go peer (bench/peers/go, the original
 * design), the plain client (bench/peers/plain, @google-cloud/pubsub's high-level subscriber) and
 * the bare stream (bench/peers/bare, the Go design's per-event work on the package's generated
 * StreamingPull and nothing else: the floor of any Deno consumer of the package).
 * Each drains a fresh backlog, prints one JSON line once it acked them all (events, seconds from
 * the first receipt to the last ack), and runs until stopped; its CPU (start-up included) and
 * peak RSS are read from /proc just before it is stopped.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { toEnv } from "../../src/config/env.ts";
import { PERMISSIONS, WORKER_V8_FLAGS } from "../../src/config/permissions.ts";
import { type Config, TARGET } from "../../src/config/settings.ts";
import { publishPayloads } from "../../src/pubsub/publisher.ts";
import { withTopology } from "../measure/topology.ts";
import { goPeerCommand } from "./go_peer.ts";
import { backlogOf, type ProcessSpec, topologyOf } from "./worker_process.ts";
import { watchProc } from "../measure/proc.ts";
import { type CaseResult, type Consumer, result } from "../measure/result.ts";

/** The TypeScript peers, each run under the worker's permissions and V8 flags. */
const DENO_PEERS = {
  "plain-client": { label: "plain client", path: "../peers/plain/main.ts" },
  "bare-stream": { label: "bare stream", path: "../peers/bare/main.ts" },
} as const;

/** Runs `command` until its report line, reads its usage, stops it. */
async function untilReport(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 600_000,
) {
  const child = new Deno.Command(command, { args, env, stdout: "piped", stderr: "null" }).spawn();
  const watch = watchProc(child.pid);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${command} ended before its report: ${text}`);
      text += value;
    }
  } finally {
    clearTimeout(timer);
  }
  const usage = await watch.stop();
  child.kill("SIGTERM");
  await reader.cancel();
  await child.status;
  const report = JSON.parse(text.split("\n")[0] ?? "{}") as { events: number; seconds: number };
  return { report, usage };
}

/** A peer as its own process on a fresh backlog of `spec.events`. */
export function peerProcess(
  client: PubSub,
  base: Config,
  consumer: Exclude<Consumer, "event-tool">,
  spec: ProcessSpec,
): Promise<CaseResult> {
  return withTopology(client, topologyOf(base, spec), async (config) => {
    await publishPayloads(client, config.topic, backlogOf(spec));
    const options = { workers: spec.pool, sleepMs: spec.latencyMs, events: spec.events };
    const ordered = spec.keys !== undefined;
    const { command, args, env } = consumer === "go-peer"
      ? await goPeerCommand(config, { ...options, ordered })
      : {
        command: Deno.execPath(),
        args: [
          "run",
          ...PERMISSIONS,
          WORKER_V8_FLAGS,
          new URL(DENO_PEERS[consumer].path, import.meta.url).pathname,
        ],
        env: {
          ...toEnv(config, [...TARGET, "subscription"]),
          WORKERS: String(spec.pool),
          SLEEP_MS: String(spec.latencyMs),
          EXPECT: String(spec.events),
        },
      };
    const { report, usage } = await untilReport(command, args, env);
    const label = consumer === "go-peer" ? "Go peer" : DENO_PEERS[consumer].label;
    return result(
      {
        name: `${label} process P=${spec.pool} L=${spec.latencyMs}ms` +
          `${spec.keys ? ` ordered, ${spec.keys} keys` : ""}, ${spec.events}`,
        consumer,
        mode: "drain",
        pool: spec.pool,
        latencyMs: spec.latencyMs,
        events: report.events,
        seconds: report.seconds,
        streams: 10,
        process: true,
        case: spec.case,
        ...(spec.round === undefined ? {} : { round: spec.round }),
        ...(spec.bound === undefined ? {} : { bound: spec.bound }),
      },
      [],
      { ...usage, rssSamples: [usage.peakRssBytes] },
    );
  });
}
