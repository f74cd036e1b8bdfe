/**
 * The fake Pub/Sub server of tests/fake_pubsub/ as its own process, for the bench's exactly-once
 * rows (the emulator has no exactly-once delivery), started from the source tree as the Go peer
 * is built from bench/peers/go. Its own CPU is neither the bench's nor the worker's.
 */
import { readLines } from "../measure/spawn.ts";

const SERVE = new URL("../../tests/fake_pubsub/serve.ts", import.meta.url).pathname;

/** What the fake recorded (its serve.ts prints it when stopped). */
export interface FakeSummary {
  /** Every ack the server applied: `<message ID>/<delivery attempt>`. */
  acked: string[];
  delivered: number;
  expired: number;
  refused: number;
  failed: number;
}

/** A running fake server. */
export interface FakeServer {
  /** `host:port`, for PUBSUB_EMULATOR_HOST. */
  host: string;
  /** Stops it; resolves with what it recorded. */
  stop(): Promise<FakeSummary>;
}

/** Starts the fake with `options` (its FakeServerOptions: faults, as JSON). */
export async function startFakeServer(options: Record<string, unknown>): Promise<FakeServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      "--allow-sys",
      SERVE,
      JSON.stringify(options),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  const reading = readLines(child.stdout, (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  const line = () =>
    new Promise<string>((resolve) => {
      const ready = lines.shift();
      if (ready !== undefined) resolve(ready);
      else waiting.push(resolve);
    });
  const { host } = JSON.parse(await line()) as { host: string };
  return {
    host,
    async stop() {
      await child.stdin.close();
      const summary = JSON.parse(await line()) as FakeSummary;
      await child.status;
      await reading;
      return summary;
    },
  };
}
