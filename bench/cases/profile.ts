/**
 * The evidence behind the CPU figures: the worker process is run once more on the no-op backlog
 * under `--cpu-prof`, and its profile is summed by where the time went (garbage collection, the
 * Pub/Sub client and gRPC, logging, the worker's own code, idle).
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../../src/config/settings.ts";
import { toolProcess } from "./worker_process.ts";

/** Share of the profiled process's sampled time, by part. */
export type ProfileSummary = [part: string, percent: number][];

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The part of the process a profile frame belongs to. */
export function partOf(functionName: string, url: string): string {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(idle)") return "idle (waiting for the emulator)";
  if (/@google-cloud\+pubsub|@google-cloud\+precise-date|google-gax/.test(url)) {
    return "Pub/Sub client (messages, leases, ack batching)";
  }
  if (/grpc|protobufjs|long@|http2|stream/.test(url)) return "gRPC, HTTP/2 and protobuf";
  if (/logtape|src\/telemetry/.test(url)) return "logging (one JSON line per event)";
  if (/prom-client|src\/ops/.test(url)) return "metrics";
  if (/src\//.test(url)) return "event-tool (decode, validate, pool, settle)";
  return "runtime and other (microtasks, timers, native calls)";
}

/** Sums a CPU profile by {@linkcode partOf}, largest first. */
export function summarize(profile: CpuProfile): ProfileSummary {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parts = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const part = frame ? partOf(frame.functionName, frame.url) : "runtime and other";
    parts.set(part, (parts.get(part) ?? 0) + dt);
  });
  return [...parts].map(([part, t]): [string, number] => [part, (100 * t) / total])
    .sort((a, b) => b[1] - a[1]);
}

/** Profiles the worker process on a no-op backlog of `events`. */
export async function profileWorker(
  client: PubSub,
  config: Config,
  events: number,
): Promise<ProfileSummary> {
  const dir = await Deno.makeTempDir();
  try {
    await toolProcess(client, config, {
      pool: 1000,
      latencyMs: 0,
      events,
      variant: "profile",
      denoFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    });
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".cpuprofile")) {
        return summarize(JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`)));
      }
    }
    throw new Error("the worker process wrote no CPU profile");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
