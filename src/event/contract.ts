/**
 * The event contract: a JSON Schema (draft 2020-12) that every event must satisfy. The built-in
 * contract is schemas/payment_method_created.schema.json (what the original system publishes:
 * four fields, `createdAt` optional), validated by the code Ajv compiles it to, generated ahead
 * (payment_method_created.validate.js, `deno task docs`); `--schema <file>` replaces it for
 * `worker` and `publish --file`, compiled by Ajv at start (compile.ts, loaded only then). A
 * failure names the JSON path and the rule, and quotes the value received (so --redact hashes
 * it).
 */
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import builtInSchema from "../../schemas/payment_method_created.schema.json" with { type: "json" };
import { messageOf, UsageError } from "../base/errors.ts";
import { type Config, SETTINGS } from "../config/settings.ts";
import { BUILT_IN_EVENT_TYPE, type EventRules, PAYMENT_METHOD_TYPES } from "./event.ts";
import { validate as validateBuiltIn } from "./payment_method_created.validate.js";

/** What events must look like, and what the tool calls them. */
export interface EventContract extends EventRules {
  /** The CloudEvent `type` and `eventType` attribute: `--event-type`, else the schema's title. */
  readonly eventType: string;
  /** Where the schema came from: `built-in` or the file path. */
  readonly source: string;
  /** Undefined when `value` satisfies the schema, else the first problem in words. */
  validate(value: unknown): string | undefined;
  /**
   * Whether a valid event carries a value the contract does not list (built-in: a
   * paymentMethodType other than card or bank_account): handled as usual, and counted.
   */
  unrecognised(event: Readonly<Record<string, unknown>>): boolean;
}

function quote(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  // Quoted whatever its type, so that --redact hashes it; a string is the quoted text alone.
  if (typeof value === "string") return JSON.stringify(value.slice(0, 80));
  return `the ${typeof value} ${JSON.stringify(String(value))}`;
}

/** The value at a JSON Pointer (`/a/0/b`) of `root`. */
function at(root: unknown, pointer: string): unknown {
  let value = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    value = (value as Record<string, unknown> | undefined)?.[key];
  }
  return value;
}

/** One Ajv error as `/path: expected … (rule keyword), got …`. */
export function describeError(error: ErrorObject, value: unknown): string {
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `${error.instancePath}/${missing}: required (rule required), got nothing`;
  }
  const title = (error.parentSchema as { title?: unknown } | undefined)?.title;
  const expected = typeof title === "string" && error.keyword !== "type"
    ? `expected ${title}`
    : error.message ?? "invalid";
  return `${error.instancePath || "/"}: ${expected} (rule ${error.keyword}), got ` +
    quote(at(value, error.instancePath));
}

function contract(
  check: ValidateFunction,
  source: string,
  eventType: string,
  unrecognised: EventContract["unrecognised"],
): EventContract {
  return {
    eventType,
    source,
    validate(value) {
      if (check(value)) return undefined;
      const [first] = check.errors ?? [];
      return first ? describeError(first, value) : "does not satisfy the schema";
    },
    unrecognised,
  };
}

/** The built-in `PaymentMethodCreated` contract (named `eventType` when given). */
export function builtInContract(eventType = BUILT_IN_EVENT_TYPE): EventContract {
  const known = new Set<unknown>(PAYMENT_METHOD_TYPES);
  return contract(
    validateBuiltIn as unknown as ValidateFunction,
    "built-in",
    eventType,
    (event) => !known.has(event.paymentMethodType),
  );
}

/** Where the built-in contract's precompiled validator is (`deno task docs` writes it). */
export const BUILT_IN_VALIDATOR_PATH =
  new URL("./payment_method_created.validate.js", import.meta.url).pathname;

/** Where the built-in contract's schema file is (the bench gives it as --schema). */
export const BUILT_IN_SCHEMA_PATH =
  new URL("../../schemas/payment_method_created.schema.json", import.meta.url).pathname;

/** The JSON Schema of the built-in contract (docs list its fields from it). */
export const BUILT_IN_SCHEMA: {
  title: string;
  required: string[];
  properties: Record<string, { description?: string; title?: string }>;
} = builtInSchema;

/**
 * The contract of the JSON Schema file at `path` (named `eventType`, else its `title`). Throws a
 * {@linkcode UsageError} naming `flag`, the file and the problem when it cannot be read, is not
 * JSON, or is not a valid draft 2020-12 schema.
 */
export async function loadContract(
  path: string,
  flag: string,
  eventType?: string,
): Promise<EventContract> {
  const fail = (problem: string): never => {
    throw new UsageError(
      `${flag}: ${JSON.stringify(path)} ${problem}, expected a JSON Schema (draft 2020-12) file`,
    );
  };
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    fail(`cannot be read (${messageOf(error)})`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    fail(`is not JSON (${messageOf(error)})`);
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    fail("is not a JSON object");
  }
  const title = (schema as { title?: unknown }).title;
  const type = eventType ?? (typeof title === "string" && title.trim() !== "" ? title : undefined);
  if (type === undefined) fail("has no title to name its event type (or give --event-type)");
  const { compile } = await import("./compile.ts");
  try {
    return contract(compile(schema), path, type as string, () => false);
  } catch (error) {
    return fail(`is not a valid schema: ${messageOf(error)}`);
  }
}

/** The contract `config` names: its `--schema` file, else the built-in one. */
export function resolveContract(
  config: Pick<Config, "schema" | "eventType">,
): Promise<EventContract> {
  if (config.schema === undefined) return Promise.resolve(builtInContract(config.eventType));
  return loadContract(config.schema, SETTINGS.schema.flag, config.eventType);
}
