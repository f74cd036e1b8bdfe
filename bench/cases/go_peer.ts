/**
 * The Go peer (bench/peers/go): the original design on the official Go client, built with
 * `go build` when Go is on PATH and run as its own process on a case's backlog (peers.ts); it
 * reports the events it acked and the seconds from the first receipt to the last ack.
 */
import { toEnv } from "../../src/config/env.ts";
import { type Config, TARGET } from "../../src/config/settings.ts";
const SOURCE = new URL("../peers/go", import.meta.url).pathname;

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

/** The Go peer's command line and environment for `config`'s subscription. */
export async function goPeerCommand(
  config: Config,
  options: { workers: number; sleepMs: number; events: number; ordered?: boolean },
): Promise<{ command: string; args: string[]; env: Record<string, string> }> {
  const why = await buildGoPeer();
  if (why !== undefined) throw new Error(`the Go peer is not available: ${why}`);
  return {
    command: binary,
    args: [],
    env: {
      ...toEnv(config, [...TARGET, "subscription"]),
      WORKERS: String(options.workers),
      SLEEP_MS: String(options.sleepMs),
      EXPECT: String(options.events),
      ORDERED: options.ordered ? "1" : "0",
    },
  };
}
