/**
 * Exactly-once delivery against the default mode, on the fake server (the emulator has none):
 * the worker process drains the same 10,000-event no-op backlog twice, on an at-least-once
 * subscription, then on an exactly-once one where 5% of ack IDs fail transiently once (retried,
 * as the service asks). Rate and CPU per event side by side; the exactly-once row fails the run
 * unless no event was handled twice and every `acked` line is an ack the server applied.
 */
import type { Config } from "../../src/config/settings.ts";
import { createClient } from "../../src/pubsub/client.ts";
import type { OutcomeRecord } from "../../src/worker/outcome.ts";
import { startFakeServer } from "./fake_server.ts";
import { toolProcess } from "./worker_process.ts";
import type { CaseResult } from "../measure/result.ts";

/** Events of each row. */
export const EXACTLY_ONCE_EVENTS = 10_000;
/** Share of ack IDs whose first ack fails transiently on the exactly-once row. */
export const TRANSIENT_ACK_SHARE = 0.05;

/** The default-mode row, then the exactly-once row. */
export async function exactlyOnceRows(base: Config): Promise<CaseResult[]> {
  return [await onFake(base, false), await onFake(base, true)];
}

/** What the outcome lines and the server's record say: handled twice, acked unconfirmed. */
export function tally(lines: readonly OutcomeRecord[], applied: ReadonlySet<string>) {
  const unconfirmed = lines.filter((l) =>
    (l.outcome === "acked" || l.outcome === "duplicate") &&
    !applied.has(`${l.messageId}/${l.deliveryAttempt}`)
  ).length;
  const runs = new Map<string, number>();
  for (const l of lines) {
    if (l.handlerMs === undefined || (l.outcome !== "acked" && l.outcome !== "ack-failed")) {
      continue;
    }
    runs.set(l.eventID ?? l.messageId, (runs.get(l.eventID ?? l.messageId) ?? 0) + 1);
  }
  return { twice: [...runs.values()].filter((n) => n > 1).length, unconfirmed };
}

/** The worker process's outcome lines, read from its stderr. */
function outcomeLines(): { lines: OutcomeRecord[]; onLine: (text: string) => void } {
  const lines: OutcomeRecord[] = [];
  return {
    lines,
    onLine: (text) => {
      if (!text.startsWith("{") || !text.includes('"outcome"')) return;
      const line = JSON.parse(text);
      if (typeof line.outcome === "string") lines.push(line);
    },
  };
}

async function onFake(base: Config, exactlyOnce: boolean): Promise<CaseResult> {
  const faults = exactlyOnce ? { transientAckShare: TRANSIENT_ACK_SHARE } : {};
  const fake = await startFakeServer({ faults });
  const config: Config = { ...base, emulatorHost: fake.host, exactlyOnce };
  const client = createClient(config);
  const { lines, onLine } = outcomeLines();
  let row: CaseResult;
  try {
    row = await toolProcess(client, config, {
      case: exactlyOnce ? "fake-exactly-once" : "fake",
      pool: 1000,
      latencyMs: 0,
      events: EXACTLY_ONCE_EVENTS,
      onLine,
    });
  } finally {
    await client.close();
  }
  const summary = await fake.stop();
  const { twice, unconfirmed } = tally(lines, new Set(summary.acked));
  const figures = `${twice} handled twice, ${unconfirmed} acked lines without a server-applied ` +
    `ack, ${summary.failed} transient ack failures retried`;
  if (exactlyOnce && (twice > 0 || unconfirmed > 0)) {
    throw new Error(`bench: exactly-once on the fake server: ${figures}`);
  }
  const mode = exactlyOnce
    ? `exactly-once, ${TRANSIENT_ACK_SHARE * 100}% of acks failing once`
    : "at-least-once";
  return {
    ...row,
    name: `event-tool worker process P=1000 L=0ms on the fake server, ${mode} (${figures}), ` +
      `${EXACTLY_ONCE_EVENTS}`,
    note: figures,
    handledTwice: twice,
    unconfirmedAcks: unconfirmed,
  };
}
