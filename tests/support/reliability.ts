/**
 * Shared by the reliability cases: recording each case's figures for docs/RELIABILITY.md (and
 * asserting that none lost an event), and recovering the emulator's stranded deliveries.
 */
import assert from "node:assert/strict";
import { type CaseResult, RESULTS_VARIABLE } from "../../scripts/reliability.ts";
export { ROUNDS_VARIABLE } from "../../scripts/reliability.ts";
import type { Config } from "../../src/config/settings.ts";
import type { Payload } from "../../src/event/payload.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { runCli } from "./cli.ts";
import type { Outcomes } from "./outcomes.ts";
import { createTopology, publishEvents, pull, testConfig } from "./pubsub.ts";

/** The figures of a case that involves no events (bad input, Pub/Sub away). */
export const NO_EVENTS = { eventsIn: 0, processed: 0, duplicates: 0, deadLettered: 0, lost: 0 };

/**
 * Asserts the case lost no event, prints its figures and, under `deno task reliability`, records
 * them for the report.
 */
export async function report(result: CaseResult): Promise<void> {
  assert.equal(result.lost, 0, `${result.case}: ${result.lost} events lost`);
  console.log(
    `reliability ${result.case}: in ${result.eventsIn}, processed ${result.processed}, ` +
      `duplicates ${result.duplicates}, dead-lettered ${result.deadLettered}, lost ${result.lost}, ` +
      `${result.seconds.toFixed(1)}s${result.notes ? ` (${result.notes})` : ""}`,
  );
  const file = Deno.env.get(RESULTS_VARIABLE);
  if (file) await Deno.writeTextFile(file, JSON.stringify(result) + "\n", { append: true });
}

/**
 * A fresh topology for `overrides` (keeping no acked event, so `countLost` works) holding
 * `events` (or that many random events); `publishedFrom` is a moment before the first.
 */
export async function freshBacklog(overrides: Partial<Config>, events: number | Payload[]) {
  const config = await testConfig({ replayWindow: 0, ...overrides });
  await createTopology(config);
  const publishedFrom = new Date(Date.now() - 1000);
  const payloads = await publishEvents(config, events);
  return { config, publishedFrom, payloads };
}

/** A case's processed, duplicate and dead-lettered figures, from its outcome lines. */
export function tallied(outcomes: Outcomes) {
  return {
    processed: outcomes.processedCounts().size,
    duplicates: outcomes.count("duplicate"),
    deadLettered: outcomes.count("dead-lettered"),
  };
}

/** Seconds since `start` (a `performance.now()` value). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * Waits until `processed()` reaches `target`, calling `seek()` whenever deliveries stop for 3 s
 * first: the emulator strands messages that were in flight on a stream whose client went away
 * (see docs/RELIABILITY.md), and a seek makes it deliver again every message nobody acked. The
 * emulator still counts the dead streams as open and hands them part of what a seek releases,
 * so it can take several seeks. Returns how many it took.
 */
export async function reachWithSeek(
  outcomes: Outcomes,
  processed: () => number,
  target: number,
  seek: () => Promise<void>,
): Promise<number> {
  const done = () => processed() >= target;
  for (let seeks = 0;; seeks++) {
    const what = `${target} processed`;
    if (await outcomes.untilQuiet(3000, { done, timeoutMs: 120_000, what })) return seeks;
    if (seeks >= 30) throw new Error(`stuck at ${processed()} of ${target} processed`);
    await seek();
  }
}

/** `event-tool replay --to <time>` with `env`, as an operator recovers stranded events. */
export async function replayFrom(env: Record<string, string>, time: Date): Promise<void> {
  const result = await runCli(["replay", "--to", time.toISOString()], env);
  assert.equal(result.code, 0, result.stderr);
}

/** What a case lost, counted before any recovery. */
export interface LostCount {
  /** Published events with no final outcome line that the subscription does not hold either. */
  lost: number;
  /** Events the subscription still held (unacked: to be delivered again). */
  held: number;
  /** The IDs counted in `lost`. */
  missing: string[];
}

/**
 * Counts what was lost right now, before anything can bring it back: the published events that
 * have no final outcome line (acked, duplicate or dead-lettered) and that the subscription does
 * not hold either. Call it with no worker running. The subscription must keep no acked messages
 * (`replayWindow: 0`): a seek back to `from` then makes it deliver exactly what it still holds
 * (unacked messages, including those the emulator stranded on a dead stream), while an event
 * acked without its line stays gone and is counted. The emulator hands part of what a seek
 * releases to streams of killed workers it still counts as open, so this seeks and pulls (no
 * ack) in rounds until every event is accounted for or rounds stop finding new ones; a last
 * seek makes everything held deliverable again for the next worker. The emulator cannot seek an
 * ordered subscription: there it pulls what is available (call it after a graceful stop, which
 * strands nothing).
 */
export async function countLost(
  config: Config,
  payloads: readonly Payload[],
  outcomes: Outcomes,
  from: Date,
): Promise<LostCount> {
  assert.equal(config.replayWindow, 0, "countLost needs a subscription that keeps no acked event");
  const settled = outcomes.settled();
  const missing = () => payloads.filter((p) => !settled.has(p.eventID) && !heldIDs.has(p.eventID));
  const heldIDs = new Set<string>();
  const client = createClient(config);
  const seek = () =>
    config.messageOrdering
      ? Promise.resolve()
      : client.subscription(config.subscription).seek(from);
  try {
    for (let round = 0, fruitless = 0; round < 40 && fruitless < 6 && missing().length > 0;) {
      round++;
      await seek();
      const before = heldIDs.size;
      for (let empty = 0; empty < 3;) {
        const batch = await pull(config, config.subscription);
        if (batch.length === 0) {
          empty++;
          await new Promise((resolve) => setTimeout(resolve, 200));
        } else {
          empty = 0;
          for (const message of batch) heldIDs.add(eventIdOf(message.text));
        }
      }
      fruitless = heldIDs.size > before ? 0 : fruitless + 1;
    }
    await seek(); // what was pulled here is deliverable again
  } finally {
    await client.close();
  }
  const ids = missing().map((p) => p.eventID);
  return { lost: ids.length, held: heldIDs.size, missing: ids };
}

function eventIdOf(text: string): string {
  try {
    return String((JSON.parse(text) as { eventID?: unknown }).eventID);
  } catch {
    return "";
  }
}
