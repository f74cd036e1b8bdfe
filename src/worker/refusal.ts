/**
 * Refusals: a handler call that failed because of how the worker is set up, not because of the
 * event (what counts as one, and the lines that report it). The handler gate
 * (middleware/gate.ts) holds such events in place instead of failing them.
 *
 * - `handler-refused`: the HTTP service answered 401, 403, 404, 407 or a status of `--retry-on`
 *   (http.ts throws a `RetryableError` with that status): a wrong token, path or proxy;
 * - `handler-permission`: a module handler lacks a Deno permission (`Deno.errors.NotCapable`).
 */
import { GRANT_VARIABLE, grantFor } from "../config/permissions.ts";
import { logger } from "../telemetry/log.ts";
import { RetryableError } from "./handler.ts";

/** The two kinds of refusal (also the worker's pause reasons). */
export type Refusal = "handler-refused" | "handler-permission";

const log = logger("worker");

/** Whether `error`, or an error it was caused by, is Deno's missing-permission error. */
export function isPermissionError(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof Deno.errors.NotCapable || e.name === "NotCapable") return true;
  }
  return false;
}

/** The refusal `error` is, if it is one; `statuses` are those that refuse (http.ts). */
export function refusalOf(error: unknown, statuses: ReadonlySet<number>): Refusal | undefined {
  if (error instanceof RetryableError && statuses.has(error.status ?? 0)) return "handler-refused";
  return isPermissionError(error) ? "handler-permission" : undefined;
}

/** The first refusal since calls were last accepted (one warning per such episode). */
export function logFirstRefusal(error: Error, pauseAfterMs: number): void {
  log.warning(
    "{detail}: the event is tried again in place with backoff, not nacked; pulling pauses if " +
      "every call is refused for {seconds}s",
    { detail: error.message, seconds: pauseAfterMs / 1000 },
  );
}

/** The one error line of a pause: what was refused, and what to do. */
export function logPaused(
  refusal: Refusal,
  detail: string,
  pauseAfterMs: number,
  probeMaxMs: number,
): void {
  const max = probeMaxMs / 1000;
  if (refusal === "handler-permission") {
    const grant = grantFor(detail) ?? "--allow-…";
    log.error(
      "The handler module lacks a permission ({detail}): pulling paused and /readyz failing; " +
        "held events are tried again one at a time, at most every {max}s, and none is nacked " +
        "for this. Grant it, scoped, and restart the worker: {command}",
      { detail, max, command: `${GRANT_VARIABLE}='${grant}' deno task worker …` },
    );
    return;
  }
  log.error(
    "Every handler call has been refused for {seconds}s ({detail}): pulling paused and /readyz " +
      "failing; held events are tried again one at a time, at most every {max}s, and none is " +
      "dead-lettered for this. Check --handler-url and --handler-header",
    { detail, seconds: pauseAfterMs / 1000, max },
  );
}

/** Calls are accepted again after `seconds` of refusals. */
export function logAccepted(seconds: number, held: number, resumed: boolean): void {
  log.info(
    "The handler accepts events again after {seconds}s of refusals{resumed}: {held} held events " +
      "go now",
    { seconds, held, resumed: resumed ? "; pulling resumed" : "" },
  );
}
