/**
 * The evidence behind the CPU figures: the worker process is run once more on a case's backlog
 * under `--cpu-prof`, and the samples of its drain (from the first event's pipeline to the last:
 * start-up and shutdown left out) are summed by part (garbage collection, the Pub/Sub client and
 * gRPC, logging, the worker's own code) and by function (its own time, per 1,000 events).
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../../src/config/settings.ts";
import { type ProcessSpec, toolProcess } from "./worker_process.ts";

/** Where the profiled drain's time went. */
export interface Profile {
  /** The case profiled, and its events. */
  case: string;
  events: number;
  /** Sampled main-thread time that was not idle, per 1,000 events (the profiler adds its own). */
  busyMsPer1000: number;
  /** Share of the drain's sampled time spent idle (waiting for the emulator or a timer). */
  idlePercent: number;
  /** Share of the busy time by part, largest first. */
  parts: [part: string, percent: number][];
  /** The functions with the most time of their own, largest first. */
  top: { frame: string; msPer1000: number; percent: number }[];
}

interface Frame {
  functionName: string;
  url: string;
  lineNumber?: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: Frame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** The function that marks a sample as the drain's: each event's pipeline runs it. */
const PIPELINE = "processDelivery";

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

/** A frame as the report names it: function, then package or file and line. */
export function frameName(frame: Frame): string {
  const where = frame.url
    .replace(/^.*node_modules\/\.deno\/([^/]+)\/node_modules\/[^]*?([^/]+)$/, "$1 $2")
    .replace(/^file:\/\/.*?\/(src|bench|tests)\//, "$1/");
  const line = frame.lineNumber === undefined || frame.url === "" ? "" : `:${frame.lineNumber + 1}`;
  return `${frame.functionName || "(anonymous)"}${where ? ` (${where}${line})` : ""}`;
}

/** The first and last sample whose stack runs the pipeline: the drain. */
function drainWindow(profile: CpuProfile, frames: Map<number, Frame>): [number, number] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const inPipeline = (id: number) => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (frames.get(at)?.functionName === PIPELINE) return true;
    }
    return false;
  };
  const first = profile.samples.findIndex(inPipeline);
  let last = profile.samples.length - 1;
  while (last > first && !inPipeline(profile.samples[last] ?? -1)) last--;
  return first < 0 ? [0, profile.samples.length - 1] : [first, last];
}

/** Sums the drain's samples of a CPU profile of `events` by part and by function. */
export function summarize(
  profile: CpuProfile,
  events: number,
  top = 12,
): Omit<Profile, "case" | "events"> {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const [first, last] = drainWindow(profile, frames);
  const parts = new Map<string, number>();
  const own = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (let i = first; i <= last; i++) {
    const frame = frames.get(profile.samples[i] ?? -1);
    const dt = profile.timeDeltas[i] ?? 0;
    if (frame?.functionName === "(idle)") {
      idle += dt;
      continue;
    }
    busy += dt;
    const part = frame ? partOf(frame.functionName, frame.url) : "runtime and other";
    parts.set(part, (parts.get(part) ?? 0) + dt);
    const name = frame ? frameName(frame) : "(unknown)";
    own.set(name, (own.get(name) ?? 0) + dt);
  }
  const share = (t: number) => (100 * t) / Math.max(busy, 1);
  const perThousand = (microseconds: number) => microseconds / Math.max(events, 1);
  return {
    busyMsPer1000: perThousand(busy),
    idlePercent: (100 * idle) / Math.max(busy + idle, 1),
    parts: [...parts].map(([part, t]): [string, number] => [part, share(t)])
      .sort((a, b) => b[1] - a[1]),
    top: [...own].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([frame, t]) => ({ frame, msPer1000: perThousand(t), percent: share(t) })),
  };
}

/** Profiles the worker process on the backlog of `spec` (its case id names the profile). */
export async function profileWorker(
  client: PubSub,
  config: Config,
  spec: ProcessSpec,
): Promise<Profile> {
  const dir = await Deno.makeTempDir();
  try {
    await toolProcess(client, config, {
      ...spec,
      denoFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    });
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".cpuprofile")) {
        const profile = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
        return { case: spec.case, events: spec.events, ...summarize(profile, spec.events) };
      }
    }
    throw new Error("the worker process wrote no CPU profile");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
