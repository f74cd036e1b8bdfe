/**
 * The real Pub/Sub emulator for integration tests: reuses PUBSUB_EMULATOR_HOST when set, else
 * the one `deno task test` started for the whole run ({@linkcode SHARED_EMULATOR}, see
 * suite.ts), otherwise starts one on a free port (once per test file) and stops it when the
 * file's tests end. If none can start, the tests that need it fail with the reason; they never
 * skip.
 */
import { type Emulator, startEmulator } from "../../src/pubsub/emulator.ts";

/**
 * The variable through which `deno task test` hands every test file its one emulator's
 * `host:port` (tests only: the tool never reads it, so the workers the tests spawn ignore it).
 */
export const SHARED_EMULATOR = "TESTS_EMULATOR_HOST";

let started: Promise<Emulator> | undefined;

/** `host:port` of a running emulator. */
export async function emulatorHost(): Promise<string> {
  const given = Deno.env.get("PUBSUB_EMULATOR_HOST") || Deno.env.get(SHARED_EMULATOR);
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
