/**
 * How the tool is run: the Deno permissions it needs and the worker's heap setting. `deno.json`
 * tasks, the Dockerfile, `deno compile` (scripts/compile.ts), the bench's worker process and the
 * tests all use these; tests/config/permissions_test.ts keeps deno.json and the Dockerfile equal.
 */

/** Network (Pub/Sub, metrics), environment (settings), read (`--file`, the client's protobuf
 * descriptors) and sys (the gRPC client reads host facts): what every command needs. */
export const PERMISSIONS = ["--allow-net", "--allow-env", "--allow-read", "--allow-sys"] as const;

/** Only `demo` and `bench` start processes (the emulator launcher, the bench's worker). */
export const RUN_PERMISSION = "--allow-run";

/**
 * The programs the compiled executable may start, by name: `demo` finds the emulator through
 * gcloud and starts its JVM with java (gcloud itself, or Docker Compose, when that fails),
 * `bench` builds its Go peer with go. Nothing else: the executable is never granted an unscoped
 * --allow-run. (`bench` also starts worker processes of itself, which needs the source:
 * `deno task bench`.)
 */
export const RUN_PROGRAMS = ["gcloud", "java", "docker", "go"] as const;
/** {@linkcode RUN_PROGRAMS} as a `deno compile` flag. */
export const COMPILED_RUN_PERMISSION = `--allow-run=${RUN_PROGRAMS.join(",")}`;

/** Whether this process may start `command` (a name on PATH or a path). */
export function mayRun(command: string): boolean {
  return Deno.permissions.querySync({ name: "run", command }).state === "granted";
}

/** The worker's V8 heap cap (old generation, MB): README "Performance" explains the figure. */
export const WORKER_HEAP_MB = 128;
/**
 * The most each of V8's two young-generation halves grows to (MB). V8's default lets them grow
 * larger under the worker's allocation rate; 16 MB took 30 MB off the peak with no measurable CPU
 * cost (8 MB: 50 MB off, about 3% more CPU). README "Performance" gives the figures.
 */
export const WORKER_YOUNG_MB = 16;
/**
 * The old generation's size before V8's first full collection (MB). V8 starts it small and grows
 * it, so a busy worker ran 6–9 mark-compacts in a 40,000-event drain, their marking on helper
 * threads; from 64 MB it ran none: 13% less CPU per event, peak RSS within a few MB (README
 * "Performance").
 */
export const WORKER_INITIAL_OLD_MB = 64;
/** The V8 flags that apply the three sizes above. */
export const WORKER_V8_FLAGS = `--v8-flags=--max-old-space-size=${WORKER_HEAP_MB},` +
  `--max-semi-space-size=${WORKER_YOUNG_MB},--initial-old-space-size=${WORKER_INITIAL_OLD_MB}`;

/**
 * Extra Deno flags `deno task worker` and `deno task cli` pass on (the tasks expand the variable
 * before `main.ts`): how a module handler is granted more than the worker's own permissions,
 * scoped, e.g. `EVENT_TOOL_ALLOW='--allow-write=./data' deno task worker --handler ./h.ts`.
 */
export const GRANT_VARIABLE = "EVENT_TOOL_ALLOW";

/**
 * The scoped flag granting what Deno's permission error `message` asks for: `Requires write
 * access to "/data/x", run again with the --allow-write flag` → `--allow-write=/data/x`.
 */
export function grantFor(message: string): string | undefined {
  const match = /Requires \w+ access to "([^"]+)", run again with the (--allow-[a-z-]+) flag/
    .exec(message);
  return match ? `${match[2]}=${match[1]}` : undefined;
}
