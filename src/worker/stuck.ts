/**
 * A key stuck past `--max-lease`, in words for `/healthz`: its event's lease was given back, its
 * later events cannot move, and a restart (the orchestrator's, on a failing liveness probe) is
 * what brings them back.
 */
import { type Config, SETTINGS } from "../config/settings.ts";
import { hasher } from "../telemetry/redact.ts";
import type { StuckKey } from "./key_scheduler.ts";

/** `stuck` in words (the key hashed under `--redact`); undefined when no key is stuck. */
export function describeStuck(
  config: Pick<Config, "maxLease" | "redact" | "redactKey">,
  stuck: StuckKey | undefined,
): string | undefined {
  if (stuck === undefined) return undefined;
  const key = config.redact ? hasher(config.redactKey)(stuck.key) : stuck.key;
  return `key ${key} has run one event (message ${stuck.messageId}) for ` +
    `${human(performance.now() - stuck.since)}, past ${SETTINGS.maxLease.flag} ` +
    `(${human(config.maxLease)}): its later events cannot move`;
}

/** `ms` in seconds under two minutes, else in minutes. */
function human(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
