/**
 * What a process costs before its first event, measured from /proc like every process case
 * (the median of a few starts, each after one start that warms V8's code cache under the
 * worker's flags): the worker from exec to ready (connected, streams open), the package-import
 * floor (a Deno program that imports @google-cloud/pubsub and nothing else), and what each import
 * costs on its own, above an empty program. Every drain's per-event figures include the
 * worker's start-up once.
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

/** `start` once to warm the code cache, then `times` more. */
async function starts(start: () => Promise<Start>, times: number): Promise<Starts> {
  const first = await start();
  const runs: Start[] = [];
  for (let i = 0; i < times; i++) runs.push(await start());
  return { first, runs };
}

/** The worker's start-up and the package-import floor, `times` each. */
export async function startUp(client: PubSub, base: Config, times = 3): Promise<StartUp> {
  const dir = await Deno.makeTempDir();
  try {
    const floor = await importProgram(dir, ["@google-cloud/pubsub"]);
    return {
      worker: await starts(() => workerStart(client, base), times),
      floor: await starts(() => untilReady(floor), times),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * What each of {@linkcode IMPORTS} costs (medians of `times`): the empty program as it is, the
 * package above it (the floor), and every other import above the floor (a program importing the
 * package, then it), which is what it adds to a process that has the package loaded.
 */
export async function importCosts(times = 3): Promise<ImportCost[]> {
  const dir = await Deno.makeTempDir();
  try {
    const measure = async (specifiers: string[]) => {
      const program = await importProgram(dir, specifiers);
      const { runs } = await starts(() => untilReady(program), times);
      return {
        cpuMs: median(runs.map((r) => r.cpuMs)) ?? 0,
        rssMb: median(runs.map((r) => r.peakRssMb)) ?? 0,
      };
    };
    const empty = await measure([]);
    const [floor, ...others] = IMPORTS;
    const loaded = await measure([floor]);
    const above = (base: { cpuMs: number; rssMb: number }, cost: typeof base) => ({
      cpuMs: cost.cpuMs - base.cpuMs,
      rssMb: cost.rssMb - base.rssMb,
    });
    const costs: ImportCost[] = [
      { specifier: "(an empty program)", ...empty },
      { specifier: floor, ...above(empty, loaded) },
    ];
    for (const specifier of others) {
      costs.push({ specifier, ...above(loaded, await measure([floor, specifier])) });
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
