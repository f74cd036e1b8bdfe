/**
 * Builds single executables with `deno compile`.
 *   deno task compile       → ./event-tool (host)
 *   deno task compile:all   → dist/event-tool-<target> for every target below
 * `deno compile` downloads a runtime base per target from the Deno download site; set
 * DENORT_BIN to a local `denort` binary for the host target where that site is unreachable.
 */
import {
  COMPILED_RUN_PERMISSION,
  PERMISSIONS,
  WORKER_V8_FLAGS,
} from "../src/config/permissions.ts";

/** What the executable is granted: the tool's permissions, run for the few programs `demo` and
 * `bench` start (by name), and the worker's heap cap, so it behaves as `deno task worker`. */
export const COMPILE_FLAGS = [...PERMISSIONS, COMPILED_RUN_PERMISSION, WORKER_V8_FLAGS] as const;

/** Targets of `compile:all`. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

const root = new URL("../", import.meta.url).pathname;

/** Runs `deno compile` for one target (host when undefined) into `output`. */
export async function compile(output: string, target?: string): Promise<Deno.CommandOutput> {
  // Type checking is done by `deno task check`; here it would run under the worker's heap cap.
  const args = ["compile", "--frozen", "--no-check", ...COMPILE_FLAGS, "--output", output];
  if (target !== undefined) args.push("--target", target);
  args.push(`${root}main.ts`);
  return await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  })
    .output();
}

if (import.meta.main) {
  const all = Deno.args.includes("--all");
  const builds = all
    ? TARGETS.map((target) => ({ target, output: `${root}dist/event-tool-${target}` }))
    : [{ target: undefined, output: `${root}event-tool` }];
  let failed = 0;
  for (const { target, output } of builds) {
    const result = await compile(output, target);
    const label = target ?? "host";
    if (result.success) console.log(`built ${output}`);
    else {
      failed++;
      console.error(`compile ${label} failed:\n${new TextDecoder().decode(result.stderr).trim()}`);
    }
  }
  Deno.exit(failed === 0 ? 0 : 1);
}
