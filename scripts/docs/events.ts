/**
 * docs/events.md, rendered from the built-in contract's JSON Schema so the field list never
 * drifts from what the worker accepts (`deno task docs` rewrites it; tests/scripts/docs/events_test.ts
 * fails when it is stale).
 */
import { BUILT_IN_SCHEMA } from "../../src/event/contract.ts";
import { EVENT_TYPE_ATTRIBUTE, PUBLISHED_AT_ATTRIBUTE } from "../../src/event/event.ts";

type Property = { description?: string; title?: string; $ref?: string; format?: string };

/** The rule a property follows, in words. */
function rule(property: Property): string {
  if (property.$ref !== undefined) {
    const name = property.$ref.split("/").at(-1) ?? "";
    const defs = (BUILT_IN_SCHEMA as unknown as { $defs: Record<string, Property> }).$defs;
    return defs[name]?.title ?? name;
  }
  return property.title ?? (property.format ? `string (${property.format})` : "string");
}

/** The Markdown table of the built-in contract's fields. */
export function renderEventTable(): string {
  const required = new Set(BUILT_IN_SCHEMA.required);
  const rows = Object.entries(BUILT_IN_SCHEMA.properties).map(([name, property]) =>
    `| \`${name}\` | ${required.has(name) ? "yes" : "no"} | ${rule(property as Property)} | ${
      property.description ?? ""
    } |`
  );
  return [
    "| Field | Required | Form | Meaning |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** docs/events.md: the built-in contract, then how to run another event type. */
export function renderEventDoc(): string {
  return `# Events

Generated from \`schemas/payment_method_created.schema.json\` by \`deno task docs\`; a test fails
when this file is stale.

## ${BUILT_IN_SCHEMA.title} (the built-in contract)

What the original system publishes, and what the worker accepts without \`--schema\`:

${renderEventTable()}

- Every field is kept: a field the schema does not name reaches the handler, and
  \`--handler-url\` POSTs the message data exactly as published (CloudEvents binary mode).
- The original system publishes no attributes. event-tool's \`publish\` adds
  \`${EVENT_TYPE_ATTRIBUTE}\` and \`${PUBLISHED_AT_ATTRIBUTE}\` (epoch milliseconds) and a
  \`createdAt\`, which the original worker ignores.
- An event that breaks a rule is dead-lettered with reason \`invalid-event\` and a \`detail\` that
  names the JSON path, the rule and the value received, e.g.
  \`/userID: expected a UUID … (rule pattern), got "user-1"\`.

## Another event type: \`--schema\`

\`--schema <file.json>\` (\`EVENT_SCHEMA\`) replaces the built-in contract for \`worker\` and
\`publish --file\` with a JSON Schema (draft 2020-12), compiled once at start (Ajv). The event type
(CloudEvent \`type\`, \`${EVENT_TYPE_ATTRIBUTE}\` attribute) is \`--event-type\`, else the schema's
\`title\`. A schema that cannot be read or compiled, including one with an unknown keyword (a typo
such as \`requried\`), exits 2 naming the file and the problem. Events are identified by their
\`eventID\` field when they have one (dedupe, CloudEvent \`id\`), else by the Pub/Sub message ID.

**The contract decides the type.** A valid event is handled as the contract's type (\`ce-type\`,
\`context.eventType\`) whatever its \`${EVENT_TYPE_ATTRIBUTE}\` attribute says; a label that names
another type is counted in \`event_tool_events_type_mismatch_total\` and warned about once per
label, and the event is not dead-lettered. The label cannot be what keeps types apart (the original
system sets none, so a mislabelled or unlabelled event of another type is caught only by the
schema: give each type a field the others lack, or a \`const\`), and dead-lettering on it would
let one producer's wrong label, or a worker started with the wrong \`--event-type\`, move a whole
backlog to the dead-letter topic. Consume other types through another subscription (or a
subscription filter on the attribute). A type or title outside printable ASCII is sent
percent-encoded, as the CloudEvents HTTP binding requires (\`Paiement créé\` →
\`Paiement%20cr%C3%A9%C3%A9\`).

\`\`\`sh
deno task publish --schema examples/order_placed.schema.json --file examples/order_placed.ndjson
deno task worker --schema examples/order_placed.schema.json --handler examples/order_handler.ts
\`\`\`

[examples/order_placed.schema.json](../examples/order_placed.schema.json) describes an
\`OrderPlaced\` event; [examples/order_handler.ts](../examples/order_handler.ts) handles it.
`;
}
