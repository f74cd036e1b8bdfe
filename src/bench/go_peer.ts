/**
 * The Go peer (bench/peers/go): the original design on the official Go client, built with
 * `go build` when Go is on PATH and run as its own process on a case's backlog. It reports its
 * own figures (events, seconds from first receipt to last ack, CPU, peak RSS) as one JSON line.
 */
import { toEnv } from "../config/env.ts";
import { type Config, TARGET } from "../config/settings.ts";
import { logger } from "../telemetry/log.ts";

const log = logger("bench");
const SOURCE = new URL("../../bench/peers/go/", import.meta.url).pathname;

/** What the Go peer reports when it exits. */
export interface GoPeerReport {
  events: number;
  seconds: number;
  cpuMs: number;
  peakRssBytes: number;
}

/** Why the Go peer is not available, or undefined when it is built. */
let built: Promise<string | undefined> | undefined;
let binary = "";

/** Builds the Go peer once; resolves with the reason when it cannot be built. */
export function buildGoPeer(): Promise<string | undefined> {
  built ??= (async () => {
    binary = `${await Deno.makeTempDir()}/go-peer`;
    try {
      const out = await new Deno.Command("go", {
        args: ["build", "-o", binary, "."],
        cwd: SOURCE,
        stdout: "null",
        stderr: "piped",
      }).output();
      if (out.success) return undefined;
      return `go build failed: ${new TextDecoder().decode(out.stderr).trim().split("\n")[0]}`;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return "Go is not on PATH";
      throw error;
    }
  })();
  return built;
}

/** Runs the Go peer on `config`'s subscription until it acked `events`. */
export async function runGoPeer(
  config: Config,
  options: { workers: number; sleepMs: number; events: number },
): Promise<GoPeerReport> {
  const why = await buildGoPeer();
  if (why !== undefined) throw new Error(`the Go peer is not available: ${why}`);
  const child = new Deno.Command(binary, {
    env: {
      ...toEnv(config, [...TARGET, "subscription"]),
      WORKERS: String(options.workers),
      SLEEP_MS: String(options.sleepMs),
      EXPECT: String(options.events),
    },
    stdout: "piped",
    stderr: "null", // its one slog line per event: written, as in the original, then dropped
  }).output();
  const out = await child;
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) throw new Error(`the Go peer exited ${out.code}: ${text}`);
  const report = JSON.parse(text.split("\n").at(-1) ?? "{}");
  log.debug("Go peer: {report}", { report });
  return {
    events: report.events,
    seconds: report.seconds,
    cpuMs: report.cpuMs,
    peakRssBytes: report.maxRssKiB * 1024,
  };
}
