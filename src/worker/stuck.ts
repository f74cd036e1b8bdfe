/**
 * A key stuck past `--max-lease`, in words for `/healthz`: its event's lease was given back, its
 * later events cannot move, and a restart (the orchestrator's, on a failing liveness probe) is
 * what brings them back.
 */
import { type Config, SETTINGS } from "../config/settings.ts";
import { hasher } from "../telemetry/redact.ts";
import type { StuckKey } from "./keys.ts";

/** `stuck` in words (the key hashed under `--redact`); undefined when no key is stuck. */
export function describeStuck(
  config: Pick<Config, "maxLease" | "redact" | "redactKey">,
  stuck: StuckKey | undefined,
): string | undefined {
  if (stuck === undefined) return undefined;
  const key = config.redact ? hasher(config.redactKey)(stuck.key) : stuck.key;
  const minutes = ((performance.now() - stuck.since) / 60_000).toFixed(1);
  return `key ${key} has run one event (message ${stuck.messageId}) for ${minutes} min, past ` +
    `${SETTINGS.maxLease.flag} (${config.maxLease / 60_000} min): its later events cannot move`;
}
