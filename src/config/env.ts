/**
 * A {@linkcode Config} back into environment variables, for a child process of event-tool (the
 * bench's worker process, tests that run the CLI). The one place that does this.
 */
import { type Config, type Setting, type SettingKey, SETTINGS } from "./settings.ts";

/**
 * The variables that give another event-tool process the values of `keys` in `config`. A value
 * that is unset becomes an empty variable, which event-tool reads as unset (so a variable the
 * parent inherited cannot leak into the child).
 */
export function toEnv(
  config: Partial<Config>,
  keys: readonly SettingKey[],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of keys) {
    const s = SETTINGS[key] as Setting<unknown>;
    const value = config[key];
    env[s.env] = value === undefined ? "" : s.format ? s.format(value) : String(value);
  }
  return env;
}
