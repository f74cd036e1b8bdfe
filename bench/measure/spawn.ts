/**
 * Starting `event-tool worker` as its own process, as shipped (its permissions and heap
 * setting, info logs on, one JSON line per event written to a discarded stderr unless a case
 * reads it), and reading a child's lines.
 */
import { toEnv } from "../../src/config/env.ts";
import { PERMISSIONS, WORKER_V8_FLAGS } from "../../src/config/permissions.ts";
import { type Config, TARGET, TOPOLOGY } from "../../src/config/settings.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** `deno run` with the worker's permissions and V8 flags, `denoFlags`, main.ts and `args`. */
export function workerCommand(args: string[], denoFlags: string[] = []): [string, string[]] {
  return [Deno.execPath(), ["run", ...PERMISSIONS, WORKER_V8_FLAGS, ...denoFlags, MAIN, ...args]];
}

/** How a case starts the worker process. */
export interface WorkerSpawn {
  pool: number;
  latencyMs: number;
  /** Its metrics port (the bench follows it through /metrics). */
  port: number;
  denoFlags?: string[] | undefined;
  handlerUrl?: URL | undefined;
  schema?: string | undefined;
  ackVia?: "stream" | "rpc" | undefined;
  rateLimit?: number | undefined;
  stderr?: "piped" | "null";
  console?: boolean | undefined;
}

/** Starts `event-tool worker` on `config` as `spec` says. */
export function spawnWorker(config: Config, spec: WorkerSpawn): Deno.ChildProcess {
  const [command, args] = workerCommand(["worker"], spec.denoFlags);
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
