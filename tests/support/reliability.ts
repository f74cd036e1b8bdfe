/**
 * Shared by the reliability cases: recording each case's figures for docs/RELIABILITY.md (and
 * asserting that none lost an event), and recovering the emulator's stranded deliveries.
 */
import assert from "node:assert/strict";
import { type CaseResult, RESULTS_VARIABLE } from "../../scripts/reliability.ts";
import { runCli } from "./cli.ts";
import type { Outcomes } from "./outcomes.ts";

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
  let seeks = 0;
  while (processed() < target) {
    await outcomes.settle(() => processed() >= target, 3000, 120_000);
    if (processed() >= target) break;
    if (seeks >= 30) throw new Error(`stuck at ${processed()} of ${target} processed`);
    await seek();
    seeks++;
  }
  return seeks;
}

/** `event-tool replay --to <time>` with `env`, as an operator recovers stranded events. */
export async function replayFrom(env: Record<string, string>, time: Date): Promise<void> {
  const result = await runCli(["replay", "--to", time.toISOString()], env);
  assert.equal(result.code, 0, result.stderr);
}
