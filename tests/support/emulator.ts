/**
 * The real Pub/Sub emulator for integration tests: reuses PUBSUB_EMULATOR_HOST when set,
 * otherwise starts one on a free port (once per test process) and stops it when the process
 * ends. If none can start, the tests that need it fail with the reason; they never skip.
 */
import { type Emulator, startEmulator } from "../../src/pubsub/emulator.ts";

let started: Promise<Emulator> | undefined;

/** `host:port` of a running emulator. */
export async function emulatorHost(): Promise<string> {
  const given = Deno.env.get("PUBSUB_EMULATOR_HOST");
  if (given) return given;
  started ??= startEmulator().then((emulator) => {
    globalThis.addEventListener("unload", () => void emulator.stop());
    return emulator;
  });
  return (await started).host;
}

/**
 * Registers a test that uses the emulator. The Pub/Sub client keeps timers and sockets a little
 * past `close()`, so the op and resource sanitizers are off for these tests.
 */
export function integrationTest(
  name: string,
  fn: () => Promise<void>,
  options: { ignore?: boolean } = {},
): void {
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn, ...options });
}
