/** Writes docs/configuration.md and docs/events.md from their sources. Run: `deno task docs`. */
import { renderConfigurationDoc } from "../src/config/docs.ts";
import { renderEventDoc } from "../src/event/docs.ts";

const docs = new URL("../docs/", import.meta.url);
await Deno.writeTextFile(new URL("configuration.md", docs), renderConfigurationDoc());
await Deno.writeTextFile(new URL("events.md", docs), renderEventDoc());
console.log("docs/configuration.md and docs/events.md written");
