/** Runs an in-process worker on the emulator until a condition on its outcomes holds. */
import type { Config } from "../../src/config/settings.ts";
import { createClient } from "../../src/pubsub/client.ts";
import type { OutcomeRecord } from "../../src/worker/outcome.ts";
import { workerOptions, type WorkerParts } from "../../src/worker/cli_options.ts";
import { Worker } from "../../src/worker/worker.ts";

/** Options for {@linkcode runWorker}: what the CLI makes beside its config, and a hook called
 * before the worker starts. */
export interface RunOptions extends WorkerParts {
  onStart?: (worker: Worker) => void;
  /** Fail when `until` has not held by then. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Runs a worker until `until(records)` holds, then stops it; fails after 30 s (`timeoutMs`)
 * with the outcomes reached.
 */
export async function runWorker(
  config: Config,
  until: (records: OutcomeRecord[]) => boolean,
  options: RunOptions = {},
): Promise<{ records: OutcomeRecord[]; worker: Worker }> {
  const { onStart, timeoutMs = 30_000, ...parts } = options;
  const worker = new Worker(workerOptions(config, parts));
  onStart?.(worker);
  const records: OutcomeRecord[] = [];
  const done = Promise.withResolvers<void>();
  worker.onOutcome((record) => {
    records.push(record);
    if (until(records)) done.resolve();
  });
  worker.start();
  const timer = setTimeout(() => {
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    const reached = [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(", ") || "none";
    done.reject(
      new Error(
        `timed out after ${timeoutMs}ms waiting for outcomes such that ${until}: ${reached}`,
      ),
    );
  }, timeoutMs);
  try {
    await done.promise;
  } finally {
    clearTimeout(timer);
    await worker.stop();
  }
  return { records, worker };
}

/** Publishes raw bodies, valid or not, one by one. */
export async function publishRaw(config: Config, bodies: (string | Uint8Array)[]): Promise<void> {
  const client = createClient(config);
  try {
    const topic = client.topic(config.topic);
    for (const body of bodies) {
      await topic.publishMessage({
        data: typeof body === "string" ? new TextEncoder().encode(body) : body,
      });
    }
  } finally {
    await client.close();
  }
}
