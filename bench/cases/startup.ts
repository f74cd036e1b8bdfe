/**
 * What a process costs before its first event, measured from /proc like every process case
 * (the median of a few starts, after one that warms V8's code cache under the worker's flags,
 * each paired with a start of what it is compared with, in turns): the worker from exec to ready
 * (connected, streams open) against the package-import floor (a Deno program that imports
 * @google-cloud/pubsub and nothing else), and what each import adds to the floor. Every drain's
 * per-event figures include the worker's start-up once.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { sleep } from "../../src/base/async.ts";
import { PERMISSIONS, WORKER_V8_FLAGS } from "../../src/config/permissions.ts";
import type { Config } from "../../src/config/settings.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { median } from "../../src/ops/usage.ts";
import { watchProc } from "../measure/proc.ts";
import { spawnWorker } from "../measure/spawn.ts";
import { withTopology } from "../measure/topology.ts";

/** CPU and peak memory of one start. */
export interface Start {
  cpuMs: number;
  peakRssMb: number;
}

/** Several starts of one program. */
export interface Starts {
  /** The first start: it (re)writes V8's code cache when code or flags changed. */
  first: Start;
  /** The measured starts, in order (rounds 1, 2, 3). */
  runs: Start[];
}

/** The worker's start-up and the floor, measured in the same run. */
export interface StartUp {
  worker: Starts;
  floor: Starts;
}

/** One import's cost on its own: its start above the empty program's. */
export interface ImportCost {
  specifier: string;
  cpuMs: number;
  rssMb: number;
}

const ROOT = new URL("../../", import.meta.url).pathname;
const MB = 1024 * 1024;

/** What the import table measures: the runtime, the floor, each package, each command. */
export const IMPORTS = [
  "@google-cloud/pubsub",
  "commander",
  "@logtape/logtape",
  "prom-client",
  "ajv/dist/2020.js",
  "ajv-formats",
  "@opentelemetry/sdk-trace-node",
  "@opentelemetry/exporter-trace-otlp-http",
  "cli-progress",
  "yaml",
  "./main.ts",
  "./src/commands/worker.ts",
  "./src/commands/bench.ts",
  "./src/commands/publish.ts",
  "./src/commands/setup.ts",
] as const;

/** The worker's start-up and the package-import floor, `times` each, alternating. */
export async function startUp(client: PubSub, base: Config, times = 3): Promise<StartUp> {
  const dir = await Deno.makeTempDir();
  try {
    const floor = await importProgram(dir, ["@google-cloud/pubsub"]);
    const pairs = await paired(() => untilReady(floor), () => workerStart(client, base), times);
    return { floor: pairs.a, worker: pairs.b };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * `a` and `b` started `times` times each, in turns (a, b, a, b, …), after one warming start of
 * each: a drift of the machine's load then falls on both alike.
 */
async function paired(
  a: () => Promise<Start>,
  b: () => Promise<Start>,
  times: number,
): Promise<{ a: Starts; b: Starts }> {
  const first = { a: await a(), b: await b() };
  const runs = { a: [] as Start[], b: [] as Start[] };
  for (let i = 0; i < times; i++) {
    runs.a.push(await a());
    runs.b.push(await b());
  }
  return { a: { first: first.a, runs: runs.a }, b: { first: first.b, runs: runs.b } };
}

/**
 * What each of {@linkcode IMPORTS} costs (medians of `times` pairs): the empty program as it is,
 * the package above the empty program (the floor), and every other import above the floor (a
 * program importing the package, then it, in turns with one importing the package alone): what
 * it adds to a process that has the package loaded.
 */
export async function importCosts(times = 3): Promise<ImportCost[]> {
  const dir = await Deno.makeTempDir();
  try {
    const above = async (base: string[], more: string[]) => {
      const [a, b] = [await importProgram(dir, base), await importProgram(dir, more)];
      const pairs = await paired(() => untilReady(a), () => untilReady(b), times);
      const differences = (pick: (s: Start) => number) =>
        median(pairs.b.runs.map((run, i) => pick(run) - pick(pairs.a.runs[i]!))) ?? 0;
      return {
        cpuMs: differences((s) => s.cpuMs),
        rssMb: differences((s) => s.peakRssMb),
        base: pairs.a.runs,
      };
    };
    const [floor, ...others] = IMPORTS;
    const loaded = await above([], [floor]);
    const costs: ImportCost[] = [
      {
        specifier: "(an empty program)",
        cpuMs: median(loaded.base.map((s) => s.cpuMs)) ?? 0,
        rssMb: median(loaded.base.map((s) => s.peakRssMb)) ?? 0,
      },
      { specifier: floor, cpuMs: loaded.cpuMs, rssMb: loaded.rssMb },
    ];
    for (const specifier of others) {
      const { cpuMs, rssMb } = await above([floor], [floor, specifier]);
      costs.push({ specifier, cpuMs, rssMb });
    }
    return costs;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A program that imports `specifiers` in order (none: the runtime alone), says so, and waits. */
async function importProgram(dir: string, specifiers: readonly string[]): Promise<string> {
  const path = `${dir}/import-${crypto.randomUUID().slice(0, 8)}.ts`;
  const imports = specifiers.map((specifier) => {
    const target = specifier.startsWith("./")
      ? new URL(specifier, `file://${ROOT}`).href
      : specifier;
    return `import ${JSON.stringify(target)};\n`;
  });
  await Deno.writeTextFile(
    path,
    `${imports.join("")}console.log("ready");\nsetInterval(() => {}, 60_000);\n`,
  );
  return path;
}

/** Runs `path` under the worker's permissions and flags until it prints "ready". */
async function untilReady(path: string): Promise<Start> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, WORKER_V8_FLAGS, "--config", `${ROOT}deno.json`, path],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const watch = watchProc(child.pid, 50);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${path} ended before it was ready`);
    text += value;
  }
  const usage = await watch.stop();
  child.kill("SIGTERM");
  await reader.cancel();
  await child.status;
  return { cpuMs: usage.cpuMs, peakRssMb: usage.peakRssBytes / MB };
}

/**
 * Starts `event-tool worker` on an empty subscription and reads its CPU and peak RSS as soon as
 * it is ready (connected, streams open).
 */
function workerStart(client: PubSub, base: Config): Promise<Start> {
  return withTopology(client, base, async (config) => {
    const port = freePort();
    const child = spawnWorker(config, { pool: 1000, latencyMs: 0, port });
    const watch = watchProc(child.pid, 50);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await sleep(20);
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
    return { cpuMs: usage.cpuMs, peakRssMb: usage.peakRssBytes / MB };
  });
}
