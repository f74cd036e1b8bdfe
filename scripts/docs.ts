/** Writes docs/configuration.md, docs/events.md and docs/outcomes.md from their sources. Run: `deno task docs`. */
import { renderConfigurationDoc } from "./docs/configuration.ts";
import { renderEventDoc } from "./docs/events.ts";
import { renderOutcomeDoc } from "./docs/outcomes.ts";

const docs = new URL("../docs/", import.meta.url);
await Deno.writeTextFile(new URL("configuration.md", docs), renderConfigurationDoc());
await Deno.writeTextFile(new URL("events.md", docs), renderEventDoc());
await Deno.writeTextFile(new URL("outcomes.md", docs), renderOutcomeDoc());
console.log("docs/configuration.md, docs/events.md and docs/outcomes.md written");
