/**
 * A reliability case on the fake server (tests/reliability/fake_*_test.ts): a fresh topology,
 * the events published, worker processes on it, the wait until the server has nothing left to
 * do, what the server's record says, and the case's figures for docs/RELIABILITY.md.
 */
import type { CaseResult } from "../../scripts/reliability.ts";
import type { Config } from "../../src/config/settings.ts";
import { type Payload, randomPayloads } from "../../src/event/payload.ts";
import { type RunningCli, spawnCli } from "./cli.ts";
import { fakeConfig, type FakePubSub, fakeTopology } from "./fake_server.ts";
import { Outcomes } from "./outcomes.ts";
import { envFor } from "./pubsub.ts";
import { report, since } from "./reliability.ts";
import { waitFor } from "./wait.ts";

/** Options for {@linkcode withFakeCase}. */
export interface FakeCaseOptions {
  /** Settings of the case's config beside its unique names (e.g. `ackDeadline`). */
  config?: Partial<Config>;
  /** Random events published before the workers start. Default none. */
  events?: number;
  /** Worker processes. Default 1. */
  workers?: number;
  /** Flags after `worker`. */
  args?: string[];
  /** Environment variables beside the config's (the summary line is off). */
  env?: Record<string, string>;
}

/** A case's figures: `case`, `injected` and `notes` given; the others counted unless given. */
export type FakeFigures = Pick<CaseResult, "case" | "injected" | "notes"> & Partial<CaseResult>;

/** A running case: its config, what was published, the workers and their outcome lines. */
export class FakeCase {
  /** When the case began (`performance.now()`), for its seconds. */
  readonly started = performance.now();
  /** Every event published so far. */
  readonly payloads: Payload[] = [];
  /** Each published message ID's event ID. */
  readonly eventOf = new Map<string, string>();
  readonly workers: RunningCli[] = [];
  /** The outcome lines of every worker, together. */
  readonly outcomes = new Outcomes();

  constructor(readonly fake: FakePubSub, readonly config: Config) {}

  /** The first worker (most cases run one). */
  get worker(): RunningCli {
    return this.workers[0]!;
  }

  /** Publishes `count` random events to the case's topic; returns them. */
  publish(count: number): Payload[] {
    const payloads = randomPayloads(count);
    const ids = this.fake.publish(this.config.topic, payloads.map((p) => ({ data: p.data })));
    ids.forEach((id, i) => this.eventOf.set(id, payloads[i]!.eventID));
    this.payloads.push(...payloads);
    return payloads;
  }

  /** Starts `count` worker processes (`worker ...args`, `env` added); follows their lines. */
  startWorkers(count: number, args: string[] = [], env: Record<string, string> = {}): void {
    const all = { ...envFor(this.config), WORKER_SUMMARY_INTERVAL: "0", ...env };
    for (let i = 0; i < count; i++) {
      const worker = spawnCli(["worker", ...args], all);
      this.outcomes.follow(worker);
      this.workers.push(worker);
    }
  }

  /** SIGTERM to every worker; resolves with their exit codes. */
  async stop(): Promise<number[]> {
    for (const worker of this.workers) worker.process.kill("SIGTERM");
    return await Promise.all(this.workers.map(async (worker) => (await worker.finished).code));
  }

  /** Kills what is still running of the workers (after a failed assertion). */
  kill(): void {
    for (const worker of this.workers) {
      try {
        worker.process.kill("SIGKILL");
      } catch {
        // already exited
      }
    }
  }

  /**
   * Resolves once the server holds no unacked message and every published event has its final
   * outcome line (a line is written before its ack leaves, so an applied ack's line is on its
   * way): nothing is left to deliver or to log. Rejects after `timeoutMs` saying how far it got.
   */
  async allAcked(timeoutMs: number): Promise<void> {
    const subscription = this.fake.subscriptionOrFail(this.config.subscription);
    const unlogged = () => {
      const settled = this.outcomes.settled();
      return this.payloads.filter((p) => !settled.has(p.eventID)).length;
    };
    await waitFor(() => subscription.unacked === 0 && unlogged() === 0, {
      timeoutMs,
      what: "every event acked on the server, with its outcome line",
      progress: () =>
        `${subscription.unacked} unacked, ${unlogged()} without a final line; ` +
        this.outcomes.summary(),
    });
  }

  /**
   * What the server's record says of the run, per event: how often the server delivered it, let
   * a delivery expire, and applied an ack; and the events lost: neither settled by an outcome
   * line (acked, duplicate, dead-lettered) nor held by the subscription, or acked by the server
   * without any such line.
   */
  server() {
    const byEvent = (counts: Map<string, number>) =>
      new Map([...counts].map(([id, n]) => [this.eventOf.get(id) ?? id, n]));
    const record = this.fake.record;
    const delivered = byEvent(record.countBy("delivered"));
    const expired = byEvent(record.countBy("expired"));
    const acked = byEvent(record.countBy("acked"));
    const held = new Set(
      this.fake.subscriptionOrFail(this.config.subscription).unackedIds().map((id) =>
        this.eventOf.get(id) ?? id
      ),
    );
    const settled = this.outcomes.settled();
    const missing = this.payloads.filter((p) =>
      (!settled.has(p.eventID) && !held.has(p.eventID)) ||
      (acked.has(p.eventID) && !settled.has(p.eventID))
    );
    return {
      delivered,
      expired,
      acked,
      held,
      lost: missing.length,
      redelivered: [...delivered.values()].filter((n) => n > 1).length,
      expiredTotal: [...expired.values()].reduce((a, b) => a + b, 0),
    };
  }

  /** Prints the case's notes and outcome counts before its assertions run. */
  log(label: string, notes: string): void {
    console.log(`${label}: ${notes}; ${this.outcomes.summary()}`);
  }

  /**
   * Records the case's figures (asserting it lost nothing): events in, processed, duplicates
   * (handled more than once), dead-lettered and lost as the outcome lines and the server's
   * record count them, unless `figures` gives them.
   */
  async report(figures: FakeFigures): Promise<void> {
    const handled = this.outcomes.processedCounts();
    await report({
      eventsIn: this.payloads.length,
      processed: handled.size,
      duplicates: [...handled.values()].reduce((sum, n) => sum + n - 1, 0),
      deadLettered: this.outcomes.count("dead-lettered"),
      lost: this.server().lost,
      seconds: since(this.started),
      server: "fake",
      ...figures,
    });
  }
}

/**
 * Runs `fn` on a fresh case on `fake`: the topology made with the tool's setup code, `events`
 * published, then the workers started (see {@linkcode FakeCaseOptions}); kills what is still
 * running of the workers afterwards, after a failed assertion too.
 */
export async function withFakeCase(
  fake: FakePubSub,
  options: FakeCaseOptions,
  fn: (run: FakeCase) => Promise<void>,
): Promise<void> {
  const run = new FakeCase(fake, fakeConfig(fake, options.config));
  try {
    await fakeTopology(run.config);
    if (options.events) run.publish(options.events);
    run.startWorkers(options.workers ?? 1, options.args, options.env);
    await fn(run);
  } finally {
    run.kill();
  }
}
