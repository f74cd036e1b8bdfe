/**
 * How the tool is run: the Deno permissions it needs and the worker's heap setting. `deno.json`
 * tasks, the Dockerfile, `deno compile` (scripts/compile.ts), the bench's worker process and the
 * tests all use these; tests/config/permissions_test.ts keeps deno.json and the Dockerfile equal.
 *
 * Least privilege, as decided for issue 28:
 * - `--allow-run`: only `demo` starts processes (the emulator's JVM: gcloud and java by name); the
 *   executable and `deno task cli` get exactly that. No task may run Docker (root-equivalent).
 * - `--allow-read`: the executable and the Docker image read what the user names (`--file`,
 *   `--schema`, the credentials file) wherever it is, and cannot load module handlers. The
 *   tasks that run from the source read only the checkout (`.`: the worker's `--handler`,
 *   `--schema`, `publish --file`) and the credentials file `gcloud auth application-default
 *   login` writes; anything else is granted, scoped, through {@linkcode GRANT_VARIABLE}, and a
 *   setting naming a file the process may not read exits 2 saying so (readable.ts).
 * - `--allow-env` stays whole: the Google client reads platform variables we cannot list
 *   (metadata server, proxies, mTLS), and `debug`, loaded behind a proxy, lists every variable
 *   at import; a denied read throws, so a scoped grant would crash on a path only production
 *   takes. Environment variables are the process's own configuration.
 */

/** Network (Pub/Sub, metrics), environment (settings), read (`--file`, `--schema`, credentials)
 * and sys (the gRPC client reads host facts): what every command of the executable needs. */
export const PERMISSIONS = ["--allow-net", "--allow-env", "--allow-read", "--allow-sys"] as const;

/** Unscoped: for developer tooling only (`deno task bench` and `test` start deno itself, the
 * Go peer they build at a temporary path, the emulator). */
export const RUN_PERMISSION = "--allow-run";

/**
 * The programs the compiled executable and the tool's tasks may start, by name: `demo` finds the
 * emulator through gcloud and starts its JVM with java (gcloud itself when no jar is found).
 * Nothing else: not Docker (root-equivalent on many hosts: start the emulator yourself, `docker
 * compose up pubsub-emulator`), not go (`bench` starts worker processes of itself, which needs
 * the source: `deno task bench`).
 */
export const RUN_PROGRAMS = ["gcloud", "java"] as const;
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

/** Where `gcloud auth application-default login` writes the credentials the Google client reads
 * by default, as a `deno task` path (the task shell expands `$HOME`). */
export const ADC_FILE = "$HOME/.config/gcloud/application_default_credentials.json";

const NET_ENV_SYS = ["--allow-net", "--allow-env", "--allow-sys"] as const;
/** The tasks' extra grants: `$EVENT_TOOL_ALLOW`, expanded by the task shell (nothing when unset). */
const GRANTS = `$${GRANT_VARIABLE}`;

/**
 * The Deno flags of each `deno.json` task that runs the tool, before `main.ts`
 * (tests/config/permissions_test.ts holds deno.json to them).
 */
export const TASK_FLAGS = {
  setup: [...NET_ENV_SYS, `--allow-read=${ADC_FILE}`, GRANTS],
  status: [...NET_ENV_SYS, `--allow-read=${ADC_FILE}`, GRANTS],
  replay: [...NET_ENV_SYS, `--allow-read=${ADC_FILE}`, GRANTS],
  snapshot: [...NET_ENV_SYS, `--allow-read=${ADC_FILE}`, GRANTS],
  "dead-letters": [...NET_ENV_SYS, `--allow-read=${ADC_FILE}`, GRANTS],
  publish: [...NET_ENV_SYS, `--allow-read=.,${ADC_FILE}`, GRANTS],
  worker: [...NET_ENV_SYS, `--allow-read=.,${ADC_FILE}`, WORKER_V8_FLAGS, GRANTS],
  // The emulator's jar is wherever the gcloud SDK is: demo reads as the executable does.
  demo: [...PERMISSIONS, COMPILED_RUN_PERMISSION],
  cli: [...PERMISSIONS, COMPILED_RUN_PERMISSION, WORKER_V8_FLAGS, GRANTS],
  // The worker as the executable runs it, reading a --file or a module handler anywhere.
  bench: [...PERMISSIONS, COMPILED_RUN_PERMISSION, WORKER_V8_FLAGS, GRANTS],
} as const;

/** Whether this process may read `path` (a file, or a folder and what it holds). */
export function mayRead(path: string): boolean {
  return Deno.permissions.querySync({ name: "read", path }).state === "granted";
}
