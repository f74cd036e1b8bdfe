/**
 * Cases that run a consumer as its own process on a fresh backlog, so its CPU and memory are its
 * own: the real `event-tool worker` (spawn.ts), its progress read through its own /metrics, its
 * CPU (start-up included) and peak RSS from /proc like every consumer's (proc.ts; the peers are
 * in peers.ts).
 */
import type { PubSub } from "@google-cloud/pubsub";
import { sleep } from "../../src/base/async.ts";
import type { Config } from "../../src/config/settings.ts";
import { keyedPayloads, type Payload, randomPayloads } from "../../src/event/payload.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { publishPayloads } from "../../src/pubsub/publisher.ts";
import { watchProc } from "../measure/proc.ts";
import { type CaseResult, result } from "../measure/result.ts";
import { followConsole, type Scrape, scrape } from "../measure/scrape.ts";
import { readLines, spawnWorker } from "../measure/spawn.ts";
import { withTopology } from "../measure/topology.ts";

/** How often a process case reads the worker's /metrics. */
const SCRAPE_MS = 1000;
/** The window of the paced case's rates. */
const PACE_WINDOW_MS = 5000;

/** What a process case runs. */
export interface ProcessSpec {
  /** The case's id (its rows' `case`) and, when it runs more than once, the round. */
  case: string;
  round?: number;
  pool: number;
  latencyMs: number;
  events: number;
  /** The bound the rate is compared with, events/s. */
  bound?: number;
  /** More `deno run` flags (the profiles add --cpu-prof). */
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

/** What following a worker process to the end of its drain found. */
interface Followed {
  last: Scrape;
  rss: number[];
  /** [ms, acked] once a second from the first ack on (the paced case's windows). */
  timeline: [number, number][];
}

/**
 * Reads the worker's /metrics until it acked `events`, while it is `alive` (once a second: a
 * scrape costs the worker CPU, and the drain's start and end come from the worker's own
 * timestamps, not from when it was polled).
 */
async function follow(port: number, events: number, alive: () => boolean): Promise<Followed> {
  const rss: number[] = [];
  const timeline: [number, number][] = [];
  let last: Scrape | undefined;
  let timelineStart: number | undefined;
  const deadline = Date.now() + 600_000;
  while ((last?.acked ?? 0) < events && Date.now() < deadline && alive()) {
    await sleep(last === undefined ? 100 : SCRAPE_MS);
    const now = await scrape(port);
    if (now === undefined) continue;
    last = now;
    rss.push(now.rssBytes);
    if (now.acked > 0 && now.acked < events) {
      timelineStart ??= performance.now();
      timeline.push([Math.round(performance.now() - timelineStart), now.acked]);
    }
  }
  if (last === undefined || last.acked < events) {
    throw new Error(`worker process: only ${last?.acked ?? 0} of ${events} acked in time`);
  }
  return { last, rss, timeline };
}

/** The row's name: the worker, its settings and what varies. */
function nameOf(spec: ProcessSpec): string {
  return `event-tool worker process P=${spec.pool} L=${spec.latencyMs}ms` +
    `${spec.handlerUrl ? " via --handler-url" : ""}` +
    `${spec.schema ? " --schema (the built-in contract as a file)" : ""}` +
    `${spec.ackVia === "rpc" ? " --ack-via rpc" : ""}` +
    `${spec.keys ? ` ordered, ${spec.keys} keys` : ""}` +
    `${spec.rateLimit ? ` --rate-limit ${spec.rateLimit}/s` : ""}` +
    `${spec.console ? " --console, a page open" : ""}, ${spec.events}`;
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
    // A worker that exits early (a bad setting, a crash) ends the case at once.
    let running = true;
    const exited = child.status.then((status) => {
      running = false;
      return new Error(`worker process exited (code ${status.code}) before its drain ended`);
    });
    const followed = await Promise.race([
      follow(port, spec.events, () => running).catch((error: Error) => error),
      exited,
    ]);
    // Read before the stop: the drain's figures, not the shutdown's.
    const used = await watch.stop();
    const pushed = await page?.stop();
    if (running) child.kill("SIGTERM");
    await child.status;
    await reading;
    if (followed instanceof Error) throw followed;
    const { last, rss, timeline } = followed;
    return result(
      {
        name: nameOf(spec),
        case: spec.case,
        ...(spec.round === undefined ? {} : { round: spec.round }),
        consumer: "event-tool",
        mode: "drain",
        pool: spec.pool,
        latencyMs: spec.latencyMs,
        events: spec.events,
        seconds: (last.lastFinalMs - last.firstReceiptMs) / 1000,
        streams: config.streams,
        process: true,
        ...(spec.bound === undefined ? {} : { bound: spec.bound }),
        timeline,
        ...(spec.rateLimit ? { windows: windowRates(timeline, PACE_WINDOW_MS) } : {}),
        ...(pushed === undefined ? {} : { note: `the page was pushed ${pushed} bytes` }),
      },
      [],
      { ...used, rssSamples: rss },
      [(last.handlerSum * 1000) / Math.max(last.acked, 1)],
    );
  });
}
