/**
 * The standard run behind docs/BENCHMARKS.md, in one process so its ratios compare like with
 * like. Its stages, in order: warm-up; start-up (the worker, the package-import floor, each
 * import); head to head (each consumer its own process on its own backlog, three rounds: the
 * no-op, latency and long drains, the backlog); the console's cost; the variants (ordered, paced,
 * --schema, HTTP); the pool × latency grid against the plain client; exactly-once on the fake
 * server; scale-out; steady publishing; the publisher; the profiles.
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
import { type Profile, profileWorker } from "./cases/profile.ts";
import { publishOnly } from "./cases/publish.ts";
import { scaleOut } from "./cases/scale_out.ts";
import { type ImportCost, importCosts, type StartUp, startUp } from "./cases/startup.ts";
import { steady } from "./cases/steady.ts";
import { type ProcessSpec, toolProcess } from "./cases/worker_process.ts";
import type { CaseResult, Consumer } from "./measure/result.ts";

/** The stages, in the order they run (`--only` picks some). */
export const STAGES = [
  "startup",
  "head-to-head",
  "console",
  "variants",
  "grid",
  "fake",
  "scale-out",
  "steady",
  "publish",
  "profiles",
] as const;
export type Stage = typeof STAGES[number];

/** The head-to-head cases: each a process per consumer, every round. */
export const HEAD_TO_HEAD = {
  noop: { pool: 1000, latencyMs: 0, events: 40_000 },
  slow: { pool: 100, latencyMs: 20, events: 20_000, bound: 5000 },
  slow50: { pool: 200, latencyMs: 50, events: 20_000, bound: 4000 },
  long: { pool: 1000, latencyMs: 0, events: 120_000 },
  backlog: { pool: 1000, latencyMs: 0, events: 100_000 },
} as const;
/** Which consumers run each head-to-head case beside the worker (plain client: round 1 only). */
const PEERS: Record<keyof typeof HEAD_TO_HEAD, readonly Exclude<Consumer, "event-tool">[]> = {
  noop: ["go-peer", "bare-stream", "plain-client"],
  slow: ["go-peer", "plain-client"],
  slow50: ["go-peer"],
  long: ["go-peer"],
  backlog: ["bare-stream"],
};
export const GRID_POOLS = [10, 100, 1000];
export const GRID_LATENCIES = [1, 20, 100];
/** The paced case: `--rate-limit` (events/s) and its backlog. */
export const PACE_RATE = 200;
export const PACE_EVENTS = 4000;

const log = logger("bench");

/** What a run measured besides its rows. */
export interface MatrixOutcome {
  ceiling: number;
  goMissing: string | undefined;
  startUp: StartUp | undefined;
  imports: ImportCost[];
  profiles: Profile[];
}

/** How the matrix runs. */
export interface MatrixOptions {
  /** Rounds of the head-to-head cases (default 3). */
  rounds: number;
  /** The stages to run (default all). */
  stages: readonly Stage[];
  /** Most events of an in-process drain case of the grid. */
  maxEvents: number;
}

/** Events for a drain case: about `seconds` of work at the expected rate, within limits. */
function eventsFor(expectedRate: number, max: number, seconds = 5): number {
  return Math.max(500, Math.min(max, Math.round(expectedRate * seconds)));
}

/** The case's rows of every consumer in each round (the plain client in the first only). */
async function headToHead(
  client: PubSub,
  config: Config,
  rounds: number,
  goMissing: string | undefined,
  record: (r: CaseResult) => void,
): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    for (const [id, base] of Object.entries(HEAD_TO_HEAD) as [keyof typeof PEERS, ProcessSpec][]) {
      const spec = { ...base, case: id, round };
      record(await toolProcess(client, config, spec));
      if (id === "noop") {
        record(await toolProcess(client, config, { ...spec, case: "noop-rpc", ackVia: "rpc" }));
      }
      for (const peer of PEERS[id]) {
        if ((peer === "go-peer" && goMissing) || (peer === "plain-client" && round > 1)) continue;
        record(await peerProcess(client, config, peer, spec));
      }
    }
  }
}

/**
 * The HTTP handler: the worker process delivers to a receiver in this process that answers 204
 * after 20 ms, at P=100 (bound 5,000/s).
 */
async function httpCase(client: PubSub, config: Config): Promise<CaseResult> {
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (r) => {
    await r.body?.cancel();
    await sleep(20);
    return new Response(null, { status: 204 });
  });
  try {
    return await toolProcess(client, config, {
      case: "http",
      pool: 100,
      latencyMs: 20,
      events: 20_000,
      bound: 5000,
      handlerUrl: new URL(`http://127.0.0.1:${port}/events`),
    });
  } finally {
    await server.shutdown();
  }
}

/** Ordered keys, the pace, the validator given as a file, the HTTP handler. */
async function variants(
  client: PubSub,
  config: Config,
  ceiling: number,
  goMissing: string | undefined,
  record: (r: CaseResult) => void,
): Promise<void> {
  // 100 users' events on an ordered subscription, 20 ms handler, pool 100: each key one at a
  // time, so the bound is min(pool, keys) ÷ handler time = 5,000/s.
  const ordered = { case: "ordered", pool: 100, latencyMs: 20, events: 20_000, keys: 100 };
  record(await toolProcess(client, config, { ...ordered, bound: 5000 }));
  if (!goMissing) record(await peerProcess(client, config, "go-peer", ordered));
  record(
    await toolProcess(client, config, {
      case: "pace",
      pool: 100,
      latencyMs: 0,
      events: PACE_EVENTS,
      rateLimit: PACE_RATE,
      bound: PACE_RATE,
    }),
  );
  const schema = { ...HEAD_TO_HEAD.noop, case: "schema", schema: BUILT_IN_SCHEMA_PATH };
  record({ ...await toolProcess(client, config, { ...schema, bound: ceiling }), ceiling });
  record(await httpCase(client, config));
}

/** The pool × latency grid in process, the worker against the plain client; the old window. */
async function grid(
  client: PubSub,
  config: Config,
  ceiling: number,
  maxEvents: number,
  record: (r: CaseResult) => void,
): Promise<void> {
  // The plain client holds each lease slot for the handler plus ~100 ms of ack batching.
  const plainRate = (pool: number, latencyMs: number) => pool / ((latencyMs + 100) / 1000);
  for (const pool of GRID_POOLS) {
    for (const latencyMs of GRID_LATENCIES) {
      const id = `grid-${pool}-${latencyMs}`;
      const bound = Math.min(pool / (latencyMs / 1000), ceiling);
      const spec = { case: id, pool, latencyMs };
      const tool = { ...spec, events: eventsFor(bound, maxEvents) };
      record(await drain(client, config, "event-tool", tool, ceiling));
      const plain = {
        ...spec,
        events: eventsFor(Math.min(plainRate(pool, latencyMs), bound), maxEvents),
      };
      record(await drain(client, config, "plain-client", plain, ceiling));
    }
  }
  // The wait for a permit at P=10, L=100 ms under the old fixed window, beside grid-10-100.
  const old = { case: "window-210", pool: 10, latencyMs: 100, window: 210, events: 500 };
  const row = await drain(client, config, "event-tool", old, ceiling);
  record({ ...row, name: `${row.name} window=210 (the old fixed rule)` });
}

/** Three replicas on one subscription, then steady publishing, then the publisher alone. */
async function scaleOutCases(client: PubSub, config: Config, record: (r: CaseResult) => void) {
  record(await scaleOut(client, config, 10, 100, 1500, "scale-out"));
  record(await scaleOut(client, config, 10, 100, 300, "scale-out-small"));
}

async function steadyCases(client: PubSub, config: Config, record: (r: CaseResult) => void) {
  const spec = { case: "steady", pool: 100, latencyMs: 0, events: 0 };
  record(await steady(client, config, "event-tool", spec, 1000, 10_000));
  record(await steady(client, config, "plain-client", spec, 1000, 10_000));
}

/** The profiles: the no-op drain and the two latency cases. */
async function profiles(client: PubSub, config: Config): Promise<Profile[]> {
  const list: Profile[] = [];
  for (const id of ["noop", "slow", "slow50"] as const) {
    list.push(await profileWorker(client, config, { ...HEAD_TO_HEAD[id], case: id }));
  }
  return list;
}

/** Runs the stages of `options`, handing each row to `record`. */
export async function matrix(
  client: PubSub,
  config: Config,
  options: MatrixOptions,
  record: (r: CaseResult) => void,
): Promise<MatrixOutcome> {
  const runs = (stage: Stage) => options.stages.includes(stage);
  const goMissing = await buildGoPeer();
  if (goMissing) log.warning("The Go peer will not run: {why}", { why: goMissing });
  // Warm the emulator's JVM up first: a cold ceiling would understate every bound.
  await drain(client, config, "event-tool", { case: "warm-up", ...HEAD_TO_HEAD.noop });
  // The worker's start-up first: it also warms V8's code cache under the worker's own flags.
  const started = runs("startup") ? await startUp(client, config) : undefined;
  const imports = runs("startup") ? await importCosts() : [];
  const rows: CaseResult[] = [];
  const keep = (r: CaseResult) => (rows.push(r), record(r));
  if (runs("head-to-head")) await headToHead(client, config, options.rounds, goMissing, keep);
  const noop = rows.filter((r) => r.case === "noop");
  const ceiling = noop.length ? Math.max(...noop.map((r) => r.eventsPerSecond)) : 20_000;
  if (runs("console")) await consoleCost(client, config, 40_000, keep);
  if (runs("variants")) await variants(client, config, ceiling, goMissing, keep);
  if (runs("grid")) await grid(client, config, ceiling, options.maxEvents, keep);
  if (runs("fake")) { for (const row of await exactlyOnceRows(config)) keep(row); }
  if (runs("scale-out")) await scaleOutCases(client, config, keep);
  if (runs("steady")) await steadyCases(client, config, keep);
  if (runs("publish")) {
    keep(await publishOnly(client, config, 100_000, "event-tool"));
    keep(await publishOnly(client, config, 100_000, "plain-client"));
  }
  const profiled = runs("profiles") ? await profiles(client, config) : [];
  return { ceiling, goMissing, startUp: started, imports, profiles: profiled };
}
