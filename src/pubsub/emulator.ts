/**
 * Starts and stops a local Pub/Sub emulator: the gcloud CLI's emulator component (its
 * `cloud-pubsub-emulator` launcher, or `gcloud beta emulators pubsub start`), else Docker Compose.
 * Used by `demo` and by the test harness.
 */
import { messageOf } from "../base/errors.ts";
import { sleep } from "../base/async.ts";
import { mayRun } from "../config/permissions.ts";
import { type Config, EMULATOR_PROJECT } from "../config/settings.ts";
import { logger } from "../telemetry/log.ts";

/** A running emulator. */
export interface Emulator {
  /** `host:port` for PUBSUB_EMULATOR_HOST. */
  readonly host: string;
  /** How it was started, for log lines. */
  readonly via: string;
  stop(): Promise<void>;
}

/** No emulator could be started; the message says what to install. */
export class EmulatorUnavailableError extends Error {
  constructor(details: string[]) {
    super(
      "no Pub/Sub emulator could be started. Install the gcloud CLI with its Pub/Sub emulator " +
        "component (`gcloud components install pubsub-emulator beta`, or the Debian package " +
        "google-cloud-cli-pubsub-emulator) and Java 17+, or Docker with Compose; or point " +
        `PUBSUB_EMULATOR_HOST at a running emulator. Tried: ${details.join("; ")}`,
    );
    this.name = "EmulatorUnavailableError";
  }
}

/** Options for {@linkcode startEmulator}. */
export interface StartOptions {
  /** Port to listen on; default: a free one (Docker Compose always uses 8085). */
  port?: number;
  /** How long to wait for the emulator to answer. Default 90 s. */
  timeoutMs?: number;
}

/** A free TCP port on the loopback interface. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function output(command: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await new Deno.Command(command, { args, stdout: "piped", stderr: "null" })
      .output();
    return result.success ? new TextDecoder().decode(result.stdout).trim() : undefined;
  } catch {
    return undefined; // not installed
  }
}

/** The emulator's jar in the gcloud component's `lib` folder, if there is one. */
async function emulatorJar(lib: string): Promise<string | undefined> {
  try {
    for await (const entry of Deno.readDir(lib)) {
      if (/^cloud-pubsub-emulator-.*-all\.jar$/.test(entry.name)) return `${lib}/${entry.name}`;
    }
  } catch {
    // no such folder: another way starts the emulator
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Polls the emulator's HTTP endpoint until it answers, the process exits, or time runs out. */
async function waitUntilUp(
  host: string,
  timeoutMs: number,
  exited: () => boolean,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) return "the emulator process exited";
    try {
      const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.ok) return undefined;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return `the emulator did not answer on ${host} within ${timeoutMs / 1000}s`;
}

async function startProcess(
  command: string,
  args: string[],
  host: string,
  timeoutMs: number,
): Promise<Emulator> {
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const tail: string[] = [];
  const keepTail = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      tail.push(decoder.decode(chunk, { stream: true }));
      if (tail.length > 40) tail.shift();
    }
  };
  const drained = Promise.all([keepTail(child.stdout), keepTail(child.stderr)]);
  let done = false;
  const status = child.status.then((s) => {
    done = true;
    return s;
  });
  const problem = await waitUntilUp(host, timeoutMs, () => done);
  const stop = async () => {
    if (!done) {
      // Asked to stop, the emulator closes its port at once. This matters when `gcloud` runs it:
      // gcloud, killed, leaves its Java child running (which, once used, may then linger with
      // its threads: the launcher and `java` are preferred for that reason).
      await fetch(`http://${host}/shutdown`, { method: "POST", signal: AbortSignal.timeout(2000) })
        .then((response) => response.body?.cancel(), () => {});
      child.kill("SIGTERM");
      const killed = await Promise.race([status, sleep(5000).then(() => undefined)]);
      if (killed === undefined) child.kill("SIGKILL");
    }
    await status;
    await drained;
  };
  if (problem !== undefined) {
    await stop();
    throw new Error(`${problem}: ${tail.join("").trim().split("\n").slice(-5).join(" | ")}`);
  }
  return { host, via: `${command} on ${host}`, stop };
}

async function startDockerCompose(timeoutMs: number): Promise<Emulator> {
  const compose = ["compose", "up", "--detach", "--wait", "pubsub-emulator"];
  const up = await new Deno.Command("docker", { args: compose, stdout: "null", stderr: "piped" })
    .output();
  if (!up.success) {
    throw new Error(`docker ${compose.join(" ")} failed: ${new TextDecoder().decode(up.stderr)}`);
  }
  const host = "localhost:8085";
  const problem = await waitUntilUp(host, timeoutMs, () => false);
  const stop = async () => {
    await new Deno.Command("docker", { args: ["compose", "stop", "pubsub-emulator"] }).output();
  };
  if (problem !== undefined) {
    await stop();
    throw new Error(problem);
  }
  return { host, via: "docker compose (service pubsub-emulator)", stop };
}

/**
 * Starts an emulator: the SDK's launcher if found, else `gcloud beta emulators pubsub start`,
 * else Docker Compose. Throws {@linkcode EmulatorUnavailableError} when none starts.
 */
export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const tried: string[] = [];
  const sdkRoot = await output("gcloud", ["info", "--format=value(installation.sdk_root)"]);
  if (sdkRoot === undefined) tried.push("gcloud: not found");
  else {
    const port = options.port ?? freePort();
    const host = `127.0.0.1:${port}`;
    const home = `${sdkRoot}/platform/pubsub-emulator`;
    const launcher = `${home}/bin/cloud-pubsub-emulator`;
    const address = [`--host=127.0.0.1`, `--port=${port}`];
    try {
      // The compiled executable may start java and gcloud, not the launcher's path
      // (permissions.ts): it runs the launcher's JVM itself, and stopping that stops the
      // emulator, where gcloud, killed, leaves its Java child running.
      if (await exists(launcher) && mayRun(launcher)) {
        return await startProcess(launcher, address, host, timeoutMs);
      }
      const jar = mayRun("java") ? await emulatorJar(`${home}/lib`) : undefined;
      return await (jar !== undefined
        ? startProcess("java", ["-jar", jar, ...address], host, timeoutMs)
        : startProcess(
          "gcloud",
          ["beta", "emulators", "pubsub", "start", `--host-port=${host}`],
          host,
          timeoutMs,
        ));
    } catch (error) {
      tried.push(`gcloud emulator: ${messageOf(error)}`);
    }
  }
  if (!mayRun("docker")) {
    // Docker is root-equivalent on many hosts: the tool is never granted it (permissions.ts).
    tried.push(
      "docker compose: not started by this tool (run `docker compose up pubsub-emulator`)",
    );
  } else if (await output("docker", ["compose", "version"]) === undefined) {
    tried.push("docker compose: not found");
  } else {
    try {
      return await startDockerCompose(timeoutMs);
    } catch (error) {
      tried.push(`docker compose: ${messageOf(error)}`);
    }
  }
  throw new EmulatorUnavailableError(tried);
}

/** A config pointed at an emulator, and the emulator if this process started it. */
export interface LocalTarget {
  config: Config;
  /** Started here (stop it when done); undefined when PUBSUB_EMULATOR_HOST named one. */
  emulator: Emulator | undefined;
}

/**
 * For `demo` and `bench`: the emulator `config` names, or a new one started here, with the
 * emulator's default project unless one was given.
 */
export async function localTarget(config: Config): Promise<LocalTarget> {
  let emulator: Emulator | undefined;
  if (config.emulatorHost === undefined) {
    logger("emulator").info("Starting a Pub/Sub emulator");
    emulator = await startEmulator();
    logger("emulator").info("Emulator up via {via}", { via: emulator.via });
  }
  return {
    config: {
      ...config,
      emulatorHost: emulator?.host ?? config.emulatorHost,
      project: config.project ?? EMULATOR_PROJECT,
    },
    emulator,
  };
}
