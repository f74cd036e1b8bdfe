/** Command-line flags from the settings table: one commander option per setting. */
import { Option } from "commander";
import { type SettingKey, SETTINGS } from "./settings.ts";

/** The commander option of setting `key`, with its variable and default in the help text. */
export function cliOption(key: SettingKey): Option {
  const s = SETTINGS[key];
  const fallback = s.default ?? s.defaultNote ?? "unset";
  const placeholder = "placeholder" in s ? s.placeholder : "<value>";
  const flags = "switch" in s ? s.flag : `${s.flag} ${placeholder}`;
  const option = new Option(flags, `${s.description} [env ${s.env}; default ${fallback}]`);
  if ("repeatable" in s) {
    option.argParser((value: string, previous: string | undefined) =>
      previous === undefined ? value : `${previous}\n${value}`
    );
  }
  return option;
}
