/**
 * Cases that run a consumer as its own process on a fresh backlog, so its CPU and memory are its
 * own: the real `event-tool worker` (as shipped: its heap setting, info logs on, written to a
 * discarded stderr), its progress read through its own /metrics, its CPU (start-up included) and
 * peak RSS from /proc like every consumer's (proc.ts; the peers are in peers.ts).
 */
import type { PubSub } from "@google-cloud/pubsub";
import { sleep } from "../../src/base/async.ts";
import { toEnv } from "../../src/config/env.ts";
import { UsageError } from "../../src/base/errors.ts";
import {
  COMPILED_RUN_PERMISSION,
  mayRun,
  PERMISSIONS,
  WORKER_V8_FLAGS,
} from "../../src/config/permissions.ts";
import { type Config, TARGET, TOPOLOGY } from "../../src/config/settings.ts";
import { keyedPayloads, type Payload, randomPayloads } from "../../src/event/payload.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { publishPayloads } from "../../src/pubsub/publisher.ts";
import { withTopology } from "../measure/topology.ts";
import { watchProc } from "../measure/proc.ts";
import { followConsole, type Scrape, scrape } from "../measure/scrape.ts";
import { type CaseResult, result } from "../measure/result.ts";

/** How often a process case reads the worker's /metrics. */
const SCRAPE_MS = 1000;

/** What a process case runs. */
export interface ProcessSpec {
  pool: number;
  latencyMs: number;
  events: number;
  /** Marks rows that are not the standard comparison (e.g. "backlog"). */
  variant?: string;
  /** The bound the rate is compared with, events/s. */
  bound?: number;
  /** More `deno run` flags (the profile case adds --cpu-prof). */
  denoFlags?: string[];
  /** Deliver to this HTTP service (`--handler-url`) instead of the simulated handler. */
  handlerUrl?: URL;
  /** Validate against this JSON Schema file (`--schema`) instead of the built-in contract. */
  schema?: string;
  /** How the worker acks (`--ack-via`); default its own default. */
  ackVia?: "stream" | "rpc";
  /** An ordered subscription, the events keyed by this many users. */
  keys?: number;
  /** `--rate-limit`, events/s: the case records its rate in each 5-second window. */
  rateLimit?: number;
  /** Hears each line the worker writes to stderr (else its stderr is discarded). */
  onLine?: (line: string) => void;
  /** `--console`, with a page following its live stream for the whole drain. */
  console?: boolean;
}

/** Rates (events/s) of the whole `windowMs` windows of a timeline of [ms, count] samples. */
export function windowRates(samples: [number, number][], windowMs: number): number[] {
  const rates: number[] = [];
  let from = samples[0];
  for (const sample of samples) {
    if (from === undefined || sample[0] - from[0] < windowMs) continue;
    rates.push(((sample[1] - from[1]) * 1000) / (sample[0] - from[0]));
    from = sample;
  }
  return rates;
}

/** The backlog of `spec`: random events, or keyed ones for an ordered case. */
export function backlogOf(spec: ProcessSpec): Payload[] {
  return spec.keys ? keyedPayloads(spec.events, spec.keys) : randomPayloads(spec.events);
}

/** The base configuration of `spec`'s fresh topology (ordered for an ordered case). */
export function topologyOf(base: Config, spec: ProcessSpec): Config {
  return spec.keys ? { ...base, messageOrdering: true } : base;
}

/** The command line that runs this same tool: the executable itself, or deno with main.ts. */
export function selfCommand(args: string[], denoFlags: string[] = []): [string, string[]] {
  const exec = Deno.execPath();
  if (!mayRun(exec)) {
    throw new UsageError(
      "bench: this executable may not start worker processes of itself (it is granted " +
        `${COMPILED_RUN_PERMISSION} only); run the bench from the source: deno task bench`,
    );
  }
  if (!/^deno(\.exe)?$/.test(exec.split(/[\\/]/).at(-1) ?? "")) return [exec, args];
  const main = new URL("../../main.ts", import.meta.url).pathname;
  return [exec, ["run", ...PERMISSIONS, WORKER_V8_FLAGS, ...denoFlags, main, ...args]];
}

/** Starts `event-tool worker` on `config` with `pool`, `latencyMs` and its metrics on `port`. */
export function spawnWorker(
  config: Config,
  spec: {
    pool: number;
    latencyMs: number;
    port: number;
    denoFlags?: string[] | undefined;
    handlerUrl?: URL | undefined;
    schema?: string | undefined;
    ackVia?: "stream" | "rpc" | undefined;
    rateLimit?: number | undefined;
    stderr?: "piped" | "null";
    console?: boolean | undefined;
  },
): Deno.ChildProcess {
  const [command, args] = selfCommand(["worker"], spec.denoFlags);
  const settings = {
    ...config,
    poolSize: spec.pool,
    simulateLatency: spec.latencyMs,
    summaryInterval: 0,
    metricsPort: spec.port,
    logLevel: "info" as const,
    logFormat: "json" as const,
    handlerUrl: spec.handlerUrl,
    schema: spec.schema,
    ...(spec.ackVia ? { ackVia: spec.ackVia } : {}),
    ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
    console: spec.console ?? false,
  };
  return new Deno.Command(command, {
    args,
    env: toEnv(settings, [
      ...TARGET,
      ...TOPOLOGY,
      "streams",
      "poolSize",
      "simulateLatency",
      "summaryInterval",
      "metricsPort",
      "logLevel",
      "logFormat",
      "handlerUrl",
      "schema",
      "ackVia",
      "rateLimit",
      "console",
    ]),
    stdout: "null",
    // One JSON line per event is written, as shipped, then dropped (or read by the case).
    stderr: spec.stderr ?? "null",
  }).spawn();
}

/** `event-tool worker` as its own process on a fresh backlog of `spec.events`. */
export function toolProcess(client: PubSub, base: Config, spec: ProcessSpec): Promise<CaseResult> {
  return withTopology(client, topologyOf(base, spec), async (config) => {
    await publishPayloads(client, config.topic, backlogOf(spec));
    const port = freePort();
    const child = spawnWorker(config, {
      pool: spec.pool,
      latencyMs: spec.handlerUrl ? 0 : spec.latencyMs,
      port,
      denoFlags: spec.denoFlags,
      handlerUrl: spec.handlerUrl,
      schema: spec.schema,
      ackVia: spec.ackVia,
      rateLimit: spec.rateLimit,
      stderr: spec.onLine ? "piped" : "null",
      console: spec.console,
    });
    const reading = spec.onLine ? readLines(child.stderr, spec.onLine) : Promise.resolve();
    const page = spec.console ? followConsole(port) : undefined;
    const watch = watchProc(child.pid);
    const rss: number[] = [];
    let last: Scrape | undefined;
    /** [ms, acked] once a second from the first ack on (the paced case's windows). */
    const timeline: [number, number][] = [];
    let timelineStart: number | undefined;
    const deadline = Date.now() + 600_000;
    // Once a second: a scrape costs the worker CPU (prom-client's event-loop figures), and the
    // drain's start and end come from the worker's own timestamps, not from when it was polled.
    while ((last?.acked ?? 0) < spec.events && Date.now() < deadline) {
      await sleep(last === undefined ? 100 : SCRAPE_MS);
      const now = await scrape(port);
      if (now === undefined) continue;
      last = now;
      rss.push(now.rssBytes);
      if (now.acked > 0 && now.acked < spec.events) {
        timelineStart ??= performance.now();
        timeline.push([Math.round(performance.now() - timelineStart), now.acked]);
      }
    }
    const usage = await watch.stop();
    const pushed = await page?.stop();
    child.kill("SIGTERM");
    await child.status;
    await reading;
    if (last === undefined || last.acked < spec.events) {
      throw new Error(`worker process: only ${last?.acked ?? 0} of ${spec.events} acked in time`);
    }
    return result(
      {
        name: `event-tool worker process P=${spec.pool} L=${spec.latencyMs}ms` +
          `${spec.handlerUrl ? " via --handler-url" : ""}` +
          `${spec.schema ? " --schema (the built-in contract as a file)" : ""}` +
          `${spec.ackVia === "rpc" ? " --ack-via rpc" : ""}` +
          `${spec.keys ? ` ordered, ${spec.keys} keys` : ""}` +
          `${spec.rateLimit ? ` --rate-limit ${spec.rateLimit}/s` : ""}` +
          `${spec.console ? " --console, a page open" : ""}, ${spec.events}`,
        consumer: "event-tool",
        mode: "drain",
        pool: spec.pool,
        latencyMs: spec.latencyMs,
        events: spec.events,
        seconds: (last.lastFinalMs - last.firstReceiptMs) / 1000,
        streams: config.streams,
        process: true,
        ...(spec.variant === undefined ? {} : { variant: spec.variant }),
        ...(spec.bound === undefined ? {} : { bound: spec.bound }),
        timeline,
        ...(pushed === undefined ? {} : { note: `the page was pushed ${pushed} bytes` }),
      },
      [],
      { ...usage, rssSamples: rss },
      [(last.handlerSum * 1000) / Math.max(last.acked, 1)],
    );
  });
}

/** Calls `onLine` with each line of `stream`. */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  if (buffer) onLine(buffer);
}
