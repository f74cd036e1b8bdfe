/** Which row of a run each target of checks.ts reads. */
import { GRID_LATENCIES, GRID_POOLS } from "../matrix.ts";
import type { Row } from "./table.ts";

/** The rows the checks read. */
export function pick(rows: readonly Row[]) {
  /** The process row of `consumer` at P and L: round 1 without `variant`. */
  const proc = (consumer: string, pool: number, latencyMs: number, variant?: string) =>
    rows.find((r) =>
      r.process && r.consumer === consumer && r.pool === pool && r.latencyMs === latencyMs &&
      r.variant === variant
    );
  const round2 = (consumer: string, pool: number, latencyMs: number) =>
    proc(consumer, pool, latencyMs, "round 2");
  return {
    toolNoop: proc("event-tool", 1000, 0),
    goNoop: proc("go-peer", 1000, 0),
    plainNoop: proc("plain-client", 1000, 0),
    bareNoop: proc("bare-stream", 1000, 0),
    bareNoop2: round2("bare-stream", 1000, 0),
    toolSlow: proc("event-tool", 100, 20),
    goSlow: proc("go-peer", 100, 20),
    toolNoop2: round2("event-tool", 1000, 0),
    goNoop2: round2("go-peer", 1000, 0),
    toolSlow2: round2("event-tool", 100, 20),
    goSlow2: round2("go-peer", 100, 20),
    rpcNoop: proc("event-tool", 1000, 0, "ack-via rpc"),
    wait: rows.find((r) =>
      !r.process && r.consumer === "event-tool" && r.pool === 10 && r.latencyMs === 100 &&
      r.variant === undefined
    ),
    oldWindow: rows.find((r) => r.variant === "window=210"),
    backlog: rows.find((r) => r.variant === "backlog"),
    scale: rows.find((r) => r.variant === "scale-out"),
    small: rows.find((r) => r.variant === "scale-out small"),
    publish: rows.find((r) => r.mode === "publish" && r.consumer === "event-tool"),
    http: rows.find((r) => r.variant === "http"),
    schema: rows.find((r) => r.variant === "schema"),
    orderedTool: rows.find((r) => r.variant === "ordered" && r.consumer === "event-tool"),
    orderedGo: rows.find((r) => r.variant === "ordered" && r.consumer === "go-peer"),
    pace: rows.find((r) => r.variant === "pace"),
    publishPlain: rows.find((r) => r.mode === "publish" && r.consumer === "plain-client"),
    grid: rows.filter((r) =>
      !r.process && r.consumer === "event-tool" && r.mode === "drain" && !r.variant &&
      GRID_POOLS.includes(r.pool) && GRID_LATENCIES.includes(r.latencyMs)
    ),
  };
}
