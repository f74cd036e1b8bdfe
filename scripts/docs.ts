/**
 * Writes what is generated from the code's own sources: docs/configuration.md, docs/events.md and
 * docs/outcomes.md, and the built-in contract's precompiled validator
 * (src/event/payment_method_created.validate.js). Run: `deno task docs`.
 */
import schema from "../schemas/payment_method_created.schema.json" with { type: "json" };
import { validatorSource } from "../src/event/compile.ts";
import { BUILT_IN_VALIDATOR_PATH } from "../src/event/contract.ts";
import { renderConfigurationDoc } from "./docs/configuration.ts";
import { renderEventDoc } from "./docs/events.ts";
import { renderOutcomeDoc } from "./docs/outcomes.ts";

const docs = new URL("../docs/", import.meta.url);
await Deno.writeTextFile(new URL("configuration.md", docs), renderConfigurationDoc());
await Deno.writeTextFile(new URL("events.md", docs), renderEventDoc());
await Deno.writeTextFile(new URL("outcomes.md", docs), renderOutcomeDoc());
await Deno.writeTextFile(
  BUILT_IN_VALIDATOR_PATH,
  validatorSource(schema, "schemas/payment_method_created.schema.json"),
);
console.log(
  "docs/configuration.md, docs/events.md, docs/outcomes.md and " +
    "src/event/payment_method_created.validate.js written",
);
