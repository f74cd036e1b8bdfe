/**
 * The consumers a bench case runs: the tool's own `Worker` (as `event-tool worker` runs it) and
 * the plain client a user would write without the tool.
 */
import type { Message, PubSub } from "@google-cloud/pubsub";
import { sleep } from "../../src/base/async.ts";
import type { Config } from "../../src/config/settings.ts";
import type { OutcomeRecord } from "../../src/worker/outcome.ts";
import { workerOptions } from "../../src/worker/cli_options.ts";
import { Worker } from "../../src/worker/worker.ts";
import type { CaseSpec } from "../measure/result.ts";

/** Starts the tool's worker on `config`'s subscription; returns a function that stops it. */
export function startToolWorker(
  client: PubSub,
  config: Config,
  spec: CaseSpec,
  onDone: (record: OutcomeRecord) => void,
): () => Promise<unknown> {
  const worker = new Worker(workerOptions({
    ...config,
    poolSize: spec.pool,
    maxOutstanding: spec.window,
    streams: spec.streams ?? config.streams,
    simulateLatency: spec.latencyMs,
    simulateFailureRate: 0,
  }, { client }));
  worker.onOutcome((record) => onDone(record));
  worker.start();
  return () => worker.stop();
}

/** What a user writes without the tool: flow control = pool size, sleep, ack. */
export function startPlainClient(
  client: PubSub,
  config: Config,
  spec: CaseSpec,
  onDone: (receiptMs: number, handlerMs: number, message: Message) => void,
): () => Promise<unknown> {
  const subscription = client.subscription(config.subscription, {
    flowControl: { maxMessages: spec.pool, allowExcessMessages: false },
    ...(spec.streams === undefined ? {} : { streamingOptions: { maxStreams: spec.streams } }),
  });
  subscription.on("message", async (message: Message) => {
    const received = performance.now();
    if (spec.latencyMs > 0) await sleep(spec.latencyMs);
    const handlerMs = performance.now() - received;
    message.ack();
    onDone(received, handlerMs, message);
  });
  subscription.on("error", (error) => console.error(`plain client: ${error.message}`));
  return () => subscription.close();
}
