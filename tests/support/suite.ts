/**
 * The last step of `deno task test`: starts one Pub/Sub emulator for the whole run, runs
 * `deno test` on tests/ (or the paths given) with that emulator's `host:port` in
 * {@linkcode SHARED_EMULATOR}, then stops it and exits with the tests' code. Without it each
 * test file that needs an emulator starts its own JVM and warms it up (41 files).
 *
 * Test files still run one after another, as `deno test` runs them by default: the worker, the
 * emulator and the timing-sensitive reliability cases share two cores. Files share the emulator,
 * never a subscription: every test makes names of its own (testConfig()). A test that stops or
 * restarts an emulator starts one of its own (tests/reliability/outage_test.ts, `demo`).
 * With PUBSUB_EMULATOR_HOST set, no emulator is started: the tests use that one.
 */
import { startEmulator } from "../../src/pubsub/emulator.ts";
import { TEST_PERMISSIONS } from "../../scripts/reliability.ts";
import { SHARED_EMULATOR } from "./emulator.ts";

/**
 * The task's `deno check … tests/` ran just before and checked every test module: `deno test`
 * would check the same graph again under other roots (~6 s on a fresh clone).
 */
const CHECKED = "--no-check";

const emulator = Deno.env.get("PUBSUB_EMULATOR_HOST") ? undefined : await startEmulator();
let code = 1;
try {
  const tests = new Deno.Command(Deno.execPath(), {
    args: ["test", CHECKED, ...TEST_PERMISSIONS, ...(Deno.args.length ? Deno.args : ["tests/"])],
    env: emulator ? { [SHARED_EMULATOR]: emulator.host } : {},
  });
  code = (await tests.spawn().status).code;
} finally {
  await emulator?.stop();
}
Deno.exit(code);
