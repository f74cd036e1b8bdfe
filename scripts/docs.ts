/** Writes docs/configuration.md from the settings table. Run: `deno task docs`. */
import { renderConfigurationDoc } from "../src/config/docs.ts";

const target = new URL("../docs/configuration.md", import.meta.url);
await Deno.writeTextFile(target, renderConfigurationDoc());
console.log("docs/configuration.md written");
