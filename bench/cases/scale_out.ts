/**
 * Scale-out: three `event-tool worker` processes on one subscription, as people scale a worker.
 * The backlog case gives the aggregate rate and each replica's share; the small-backlog case
 * checks that no replica idles while another holds more than twice its pool (the lease window
 * keeps what a replica holds close to what it can run).
 */
import type { PubSub } from "@google-cloud/pubsub";
import { sleep } from "../../src/base/async.ts";
import type { Config } from "../../src/config/settings.ts";
import { randomPayloads } from "../../src/event/payload.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { publishPayloads } from "../../src/pubsub/publisher.ts";
import { withTopology } from "../measure/topology.ts";
import { spawnWorker } from "../measure/spawn.ts";
import { type Scrape, scrape } from "../measure/scrape.ts";
import { type CaseResult, result } from "../measure/result.ts";

/** Replicas in the scale-out cases. */
export const REPLICAS = 3;

/** What one scale-out run found besides the rate. */
interface Run {
  seconds: number;
  shares: number[];
  /** Samples where a replica held nothing while another held more than twice its pool. */
  idleWhileHeld: number;
  /** Most events any replica held at once. */
  mostHeld: number;
  cpuMs: number;
  peakRssBytes: number;
}

async function run(
  client: PubSub,
  config: Config,
  pool: number,
  latencyMs: number,
  events: number,
) {
  await publishPayloads(client, config.topic, randomPayloads(events));
  const ports = Array.from({ length: REPLICAS }, () => freePort());
  const children = ports.map((port) => spawnWorker(config, { pool, latencyMs, port }));
  // Wait until every replica answers, so none starts with a head start on the backlog.
  const latest: (Scrape | undefined)[] = ports.map(() => undefined);
  let first = 0;
  let end = 0;
  let idleWhileHeld = 0;
  let mostHeld = 0;
  const deadline = Date.now() + 300_000;
  const acked = () => latest.reduce((sum, s) => sum + (s?.acked ?? 0), 0);
  while (acked() < events && Date.now() < deadline) {
    await sleep(50);
    const now = await Promise.all(ports.map(scrape));
    now.forEach((s, i) => latest[i] = s ?? latest[i]);
    if (latest.some((s) => s === undefined)) continue;
    const held = latest.map((s) => s?.leased ?? 0);
    mostHeld = Math.max(mostHeld, ...held);
    if (acked() > 0 && first === 0) first = performance.now();
    end = performance.now();
    const remaining = events - acked();
    if (remaining > 0 && held.some((h) => h === 0) && held.some((h) => h > 2 * pool)) {
      idleWhileHeld++;
    }
  }
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((c) => c.status));
  if (acked() < events) throw new Error(`scale-out: only ${acked()} of ${events} acked in time`);
  return {
    seconds: (end - first) / 1000,
    shares: latest.map((s) => (s?.acked ?? 0) / events),
    idleWhileHeld,
    mostHeld,
    cpuMs: latest.reduce((sum, s) => sum + (s?.cpuMs ?? 0), 0),
    peakRssBytes: Math.max(...latest.map((s) => s?.rssBytes ?? 0)),
  } satisfies Run;
}

/** Three replicas draining `events` at P=`pool`, L=`latencyMs`. */
export function scaleOut(
  client: PubSub,
  base: Config,
  pool: number,
  latencyMs: number,
  events: number,
  id: "scale-out" | "scale-out-small",
): Promise<CaseResult> {
  return withTopology(client, base, async (config) => {
    const r = await run(client, config, pool, latencyMs, events);
    const shares = r.shares.map((s) => `${(100 * s).toFixed(0)}%`).join(" / ");
    return result(
      {
        name: `${REPLICAS} worker processes P=${pool} L=${latencyMs}ms, ${events}`,
        consumer: "event-tool",
        mode: "drain",
        pool: REPLICAS * pool,
        latencyMs,
        events,
        seconds: r.seconds,
        bound: (REPLICAS * pool * 1000) / latencyMs,
        process: true,
        case: id,
        note: `shares ${shares}; most held by one replica ${r.mostHeld} (pool ${pool}); ` +
          `${r.idleWhileHeld} samples with a replica idle while another held > ${2 * pool}`,
        shares: r.shares,
        idleWhileHeld: r.idleWhileHeld,
      },
      [],
      { cpuMs: r.cpuMs, peakRssBytes: r.peakRssBytes, rssSamples: [0, 0] },
      [latencyMs],
    );
  });
}
