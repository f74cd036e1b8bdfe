/**
 * Command-line flags from the settings table: one commander option per setting, with a typed
 * placeholder, its variable and default, in a group (connection, pool, handler, logging,
 * operations, then the command's own).
 */
import { Option } from "commander";
import { POOL, type SettingKey, SETTINGS } from "./settings.ts";

/** Help groups, in the order help lists them; a setting in none is the command's own. */
export const HELP_GROUPS: readonly [string, readonly SettingKey[]][] = [
  ["Connection:", [
    "project",
    "emulatorHost",
    "connectTimeout",
    "topic",
    "subscription",
    "deadLetterTopic",
    "deadLetterSubscription",
  ]],
  ["Pool:", [
    ...POOL,
    "handlerTimeout",
    "shutdownTimeout",
    "maxDeliveryAttempts",
    "maxPayload",
    "dedupeWindow",
    "dedupeFor",
  ]],
  ["Handler:", [
    "schema",
    "eventType",
    "handlerUrl",
    "handlerHeader",
    "retryOn",
    "pauseAfter",
    "handler",
    "simulateLatency",
    "simulateFailureRate",
  ]],
  ["Logging:", ["logLevel", "logFormat", "redact", "redactKey"]],
  ["Operations:", [
    "metricsPort",
    "metricsHost",
    "summaryInterval",
    "console",
    "consoleToken",
    "otel",
  ]],
];

/** The placeholder help shows for a setting's value. */
export function placeholderOf(key: SettingKey): string {
  const s = SETTINGS[key];
  if ("placeholder" in s && s.placeholder) return s.placeholder;
  if ("format" in s && s.format?.name === "ms") return "<duration>";
  return "<value>";
}

/** The commander option of setting `key`, with its variable and default in the help text. */
export function cliOption(key: SettingKey): Option {
  const s = SETTINGS[key];
  const fallback = s.default ?? s.defaultNote ?? "unset";
  const flags = "switch" in s ? s.flag : `${s.flag} ${placeholderOf(key)}`;
  const option = new Option(flags, `${s.description} [env ${s.env}; default ${fallback}]`);
  const group = HELP_GROUPS.find(([, keys]) => keys.includes(key))?.[0];
  if (group) option.helpGroup(group);
  if ("repeatable" in s) {
    option.argParser((value: string, previous: string | undefined) =>
      previous === undefined ? value : `${previous}\n${value}`
    );
  }
  return option;
}
