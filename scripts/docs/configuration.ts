/**
 * docs/configuration.md, rendered from the settings table so the two never drift (`deno task
 * docs` rewrites it; tests/scripts/docs/configuration_test.ts fails when it is stale).
 */
import {
  COMMAND_SETTINGS,
  type CommandName,
  type SettingKey,
  SETTINGS,
} from "../../src/config/settings.ts";

/** The Markdown table of every setting: variable, flag, default, commands, meaning. */
export function renderConfigTable(): string {
  const rows = (Object.keys(SETTINGS) as SettingKey[]).map((key) => {
    const s = SETTINGS[key];
    const commands = (Object.keys(COMMAND_SETTINGS) as CommandName[])
      .filter((name) => (COMMAND_SETTINGS[name] as readonly string[]).includes(key));
    const fallback = s.default !== undefined ? `\`${s.default}\`` : s.defaultNote ?? "unset";
    return `| \`${s.env}\` | \`${s.flag}\` | ${fallback} | ${
      commands.join(", ")
    } | ${s.description} |`;
  });
  return [
    "| Variable | Flag | Default | Commands | Meaning |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** docs/configuration.md: how settings work, then the table (`deno task docs` writes it). */
export function renderConfigurationDoc(): string {
  return `# Configuration

Generated from the settings table in \`src/config/settings.ts\` by \`deno task docs\`; a test
fails when this file is stale.

- Every setting is a flag or an environment variable; **a flag wins** over its variable, a
  variable over the default. An **empty variable means unset**.
- **Durations:** \`250ms\`, \`30s\`, \`5m\`, \`1h\`, compounds such as \`1m30s\`, or a bare
  number of seconds (\`60\`), as gcloud reads them.
- **Sizes:** \`65536\`, \`64KiB\`, \`1MiB\`. **Switches** (\`--redact\`) take no value; their
  variable takes \`true\`/\`false\`. **Log levels** in any case, \`warn\` for \`warning\`.
- A mistake exits 2 with one line naming the flag or variable, the value as given and the form
  expected; when two settings conflict, both are quoted with where they came from.
- \`docker-compose.yml\`, \`terraform/\` and \`deploy/\` use these names and defaults (tests
  check them).

${renderConfigTable()}
`;
}
