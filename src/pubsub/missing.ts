/**
 * A resource Pub/Sub does not know (NOT_FOUND), said as the one line a user acts on: which one,
 * where, and the command that creates it.
 */
import { UsageError } from "../base/errors.ts";
import { type Config, nameOf } from "../config/settings.ts";
import { describeTarget } from "./client.ts";
import { codeOf, GRPC } from "./grpc_codes.ts";

/** The settings that name the four resources. */
type ResourceKey = "topic" | "deadLetterTopic" | "subscription" | "deadLetterSubscription";

/**
 * `error` as a {@linkcode UsageError} naming the missing resource `config[key]`, its flag and
 * variable, the target and `event-tool setup` when it is a NOT_FOUND; otherwise `error` itself.
 */
export function explainMissing(
  error: unknown,
  key: ResourceKey,
  config: Pick<Config, ResourceKey | "project" | "emulatorHost">,
): unknown {
  if (codeOf(error) !== GRPC.NOT_FOUND) return error;
  const kind = key === "topic" || key === "deadLetterTopic" ? "topic" : "subscription";
  return new UsageError(
    `${kind} ${config[key]} (${nameOf(key)}) does not exist on ${describeTarget(config)}: ` +
      "run `event-tool setup` with the same names and project first",
  );
}
