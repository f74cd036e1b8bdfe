/**
 * What the console costs the worker: the P=100 L=20ms drain (5,000/s) run as its own process
 * without `--console` and with it and a page following the live stream, three rounds, the order
 * alternating (off-on, on-off, off-on) so that a drift of the machine's load cancels out; the
 * report gives the median of the three CPU ratios (one pair alone is within this machine's
 * noise of a few percent, where the console's own work is a fraction of one: see
 * bench/console_bench.ts).
 */
import type { PubSub } from "@google-cloud/pubsub";
import type { Config } from "../../src/config/settings.ts";
import { toolProcess } from "./worker_process.ts";
import type { CaseResult } from "../measure/result.ts";

/** Rounds of the paired runs. */
export const CONSOLE_ROUNDS = 3;

/** The paired runs: cases `console-off` and `console-on`, rounds 1 to 3. */
export async function consoleCost(
  client: PubSub,
  config: Config,
  events: number,
  run: (r: CaseResult) => void,
): Promise<void> {
  const spec = { pool: 100, latencyMs: 20, events, bound: 5000 };
  for (let round = 1; round <= CONSOLE_ROUNDS; round++) {
    for (const on of round % 2 === 1 ? [false, true] : [true, false]) {
      run(
        await toolProcess(client, config, {
          ...spec,
          console: on,
          case: on ? "console-on" : "console-off",
          round,
        }),
      );
    }
  }
}
