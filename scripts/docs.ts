/** Rewrites the configuration table in README.md from src/config.ts. Run: `deno task docs`. */
import { replaceConfigTable } from "../src/config/docs.ts";

const readme = new URL("../README.md", import.meta.url);
await Deno.writeTextFile(readme, replaceConfigTable(await Deno.readTextFile(readme)));
console.log("README.md configuration table updated");
