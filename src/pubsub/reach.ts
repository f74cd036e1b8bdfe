/**
 * Fail fast when Pub/Sub is away: a TCP connection to the endpoint, bounded by
 * `--connect-timeout`, before a command starts work that the client would otherwise retry for
 * minutes. The error names the target and the cause in one line.
 */
import { messageOf } from "../base/errors.ts";
import type { Config } from "../config/settings.ts";
import { SETTINGS } from "../config/settings.ts";

/** Google Cloud's Pub/Sub endpoint. */
export const GOOGLE_ENDPOINT = "pubsub.googleapis.com:443";

/** Pub/Sub could not be reached in time (exit 1: not the user's typing, but the environment). */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreachableError";
  }
}

function cause(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (error instanceof Deno.errors.ConnectionReset) return "connection reset";
  if (error instanceof Deno.errors.NotFound) return "unknown host";
  const text = messageOf(error);
  if (/dns|lookup|resolve/i.test(text)) return "unknown host";
  return text.replace(/\s*\(os error \d+\)$/, "").toLowerCase();
}

/**
 * Resolves once a TCP connection to Pub/Sub (the emulator, or Google Cloud) succeeds; throws an
 * {@linkcode UnreachableError} naming the target and the cause after at most `timeoutMs`.
 */
export async function ensureReachable(
  config: Pick<Config, "emulatorHost" | "connectTimeout">,
): Promise<void> {
  const target = config.emulatorHost ?? GOOGLE_ENDPOINT;
  const [hostname = "", port = ""] = target.split(/:(?=\d+$)/);
  const what = config.emulatorHost === undefined
    ? `Google Cloud Pub/Sub at ${target}`
    : `the Pub/Sub emulator at ${target}`;
  const hint = config.emulatorHost === undefined
    ? "check the network, proxy and firewall"
    : `is it running? \`gcloud beta emulators pubsub start --host-port=${target}\` starts one`;
  const timeoutMs = config.connectTimeout;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`no answer within ${timeoutMs / 1000}s (${SETTINGS.connectTimeout.flag})`),
        ),
      timeoutMs,
    );
  });
  const connecting = Deno.connect({ hostname, port: Number(port) });
  try {
    const connection = await Promise.race([connecting, timedOut]);
    connection.close();
  } catch (error) {
    connecting.then((c) => c.close(), () => {}); // a late connection is closed, not leaked
    throw new UnreachableError(`cannot reach ${what}: ${cause(error)} (${hint})`);
  } finally {
    clearTimeout(timer);
  }
}
