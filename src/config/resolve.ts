/**
 * Turns raw values into a {@linkcode Config}: a flag wins over its variable, a variable over the
 * default; an empty variable counts as unset. Errors name where the value came from (flag or
 * variable), quote it as given and say the form expected.
 */
import { UsageError } from "../base/errors.ts";
import { ParseError } from "./parse.ts";
import { withoutCredentials } from "./parse_net.ts";
import {
  type Config,
  EMULATOR_PROJECT,
  PROJECT_VARIABLES,
  type Setting,
  type SettingKey,
  SETTINGS,
  TARGET,
} from "./settings.ts";

/** Where raw values come from: parsed flags (camelCase keys) and the environment. */
export interface ConfigSources {
  /** Parsed flags by setting key (`true` for a switch given). */
  readonly flags: Readonly<Record<string, unknown>>;
  /** Reads an environment variable. */
  readonly env: (name: string) => string | undefined;
}

/** Where one value came from and its text as given. */
interface Given {
  /** `--pool-size`, `WORKER_POOL_SIZE` or `default`. */
  readonly origin: string;
  readonly raw: string | undefined;
}

function given(key: SettingKey, sources: ConfigSources): Given {
  const s = SETTINGS[key];
  const flag = sources.flags[key];
  if (flag === true) return { origin: s.flag, raw: "true" };
  if (typeof flag === "string") return { origin: s.flag, raw: flag };
  const variable = sources.env(s.env);
  if (variable !== undefined && variable.trim() !== "") return { origin: s.env, raw: variable };
  return { origin: "default", raw: s.default };
}

function parseOne<K extends SettingKey>(key: K, from: Given): Config[K] {
  const s = SETTINGS[key] as unknown as Setting<Config[K]>;
  if (from.raw === undefined) return undefined as Config[K];
  try {
    return s.parse(from.raw);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    const got = s.secret
      ? "a value (not shown: it may be a secret)"
      : JSON.stringify(s.credentials ? withoutCredentials(from.raw) : from.raw);
    throw new UsageError(`${from.origin}: got ${got}, expected ${error.message}`);
  }
}

/**
 * The project when neither --project nor PUBSUB_PROJECT_ID gives one: the emulator's default, or
 * on Google Cloud the first of GOOGLE_CLOUD_PROJECT and GCLOUD_PROJECT; undefined leaves it to
 * the credentials (checked by the command, see `checkProject`).
 */
function fallbackProject(config: Config, sources: ConfigSources): string | undefined {
  if (config.emulatorHost !== undefined) return EMULATOR_PROJECT;
  for (const variable of PROJECT_VARIABLES) {
    const raw = sources.env(variable);
    if (raw !== undefined && raw.trim() !== "") {
      return parseOne("project", { origin: variable, raw: raw.trim() });
    }
  }
  return undefined;
}

/** Every setting at its default (no flags, no environment). */
export function defaults(): Config {
  return resolveConfig(Object.keys(SETTINGS) as SettingKey[], { flags: {}, env: () => undefined });
}

/**
 * Resolves the settings `keys` from flags, then the environment, then defaults; the others keep
 * their defaults. Throws a {@linkcode UsageError} naming the flag or variable, the value and the
 * form expected.
 */
export function resolveConfig(keys: readonly SettingKey[], sources: ConfigSources): Config {
  const none: ConfigSources = { flags: {}, env: () => undefined };
  const from = {} as Record<SettingKey, Given>;
  const config = {} as Record<SettingKey, unknown>;
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    from[key] = given(key, keys.includes(key) ? sources : none);
    config[key] = parseOne(key, from[key]);
  }
  const result = config as Config;
  if (result.project === undefined && keys.includes("project")) {
    result.project = fallbackProject(result, sources);
  }
  checkCombinations(result, from);
  return result;
}

/** `--max-outstanding 5` or `WORKER_MAX_OUTSTANDING="5"`, or the default's value. */
function quoteSetting(key: SettingKey, { origin, raw: given }: Given): string {
  const s = SETTINGS[key] as Setting<unknown>;
  const hidden = given !== undefined && (s.secret || s.credentials);
  const raw = hidden ? (s.secret ? "…" : withoutCredentials(given)) : given;
  if (origin === "default") return `${SETTINGS[key].flag} (default ${raw})`;
  return origin.startsWith("--") ? `${origin} ${raw}` : `${origin}=${JSON.stringify(raw)}`;
}

/** Settings that are valid alone but not together: the error quotes both, with their sources. */
function checkCombinations(result: Config, from: Record<SettingKey, Given>): void {
  const quote = (key: SettingKey) => quoteSetting(key, from[key]);
  const check = (ok: boolean, key: SettingKey, expected: string) => {
    if (!ok) throw new UsageError(`${quote(key)}: expected ${expected}`);
  };
  check(
    result.maxOutstanding === undefined || result.maxOutstanding >= result.poolSize,
    "maxOutstanding",
    `at least the pool size, ${quote("poolSize")}`,
  );
  check(
    result.retryMinBackoff <= result.retryMaxBackoff,
    "retryMinBackoff",
    `at most ${quote("retryMaxBackoff")}`,
  );
  check(result.ackDeadline >= 10_000, "ackDeadline", "10s to 600s");
  check(
    result.file === undefined || from.count.origin === "default",
    "count",
    `no ${SETTINGS.file.flag} as well (a file publishes its own events)`,
  );
  check(
    result.file === undefined || result.users === undefined,
    "users",
    `no ${SETTINGS.file.flag} as well (a file's events carry their own users)`,
  );
  check(
    result.handler === undefined || result.handlerUrl === undefined,
    "handler",
    `no ${SETTINGS.handlerUrl.flag} as well (one handler: a module or an HTTP service)`,
  );
  check(
    result.deadLetterTopic !== result.topic,
    "deadLetterTopic",
    `a topic other than ${quote("topic")} (dead letters published to the main topic would be ` +
      "delivered again forever)",
  );
  check(
    result.replayWindow === 0 || result.replayWindow >= 600_000,
    "replayWindow",
    "0, or 10m to 168h",
  );
}

/**
 * The project and emulator as the CLI resolves them: `given`'s values, else their variables
 * (`PUBSUB_PROJECT_ID`, `PUBSUB_EMULATOR_HOST`), else the project's fallbacks. For the library,
 * which reads no other variable.
 */
export function resolveTarget(
  given: { readonly project?: string | undefined; readonly emulatorHost?: string | undefined },
): Pick<Config, "project" | "emulatorHost"> {
  const { project, emulatorHost } = resolveConfig(TARGET, {
    flags: { project: given.project, emulatorHost: given.emulatorHost },
    env: (name) => Deno.env.get(name),
  });
  return { project, emulatorHost };
}
