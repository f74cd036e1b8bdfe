/**
 * `event-tool snapshot create|delete NAME`: a snapshot keeps the subscription's unacked messages
 * (and, with retained acks, the acked ones) as of now, so `replay --snapshot NAME` can go back
 * to exactly this point, e.g. before deploying a new handler.
 */
import { UsageError } from "../base/errors.ts";
import { resourceId } from "../config/parse.ts";
import type { Config } from "../config/settings.ts";
import { connect } from "../pubsub/connect.ts";

export const summary = "create or delete a snapshot of the subscription (for replay --snapshot)";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "snapshot create before-deploy",
  "snapshot delete before-deploy",
] as const;
/** Positional arguments, as commander declares them. */
export const args = ["<action>", "<name>"] as const;

const ACTIONS = ["create", "delete"] as const;

/** Runs `snapshot create NAME` or `snapshot delete NAME`. */
export async function run(config: Config, [action, name]: string[]): Promise<void> {
  if (!(ACTIONS as readonly (string | undefined)[]).includes(action)) {
    throw new UsageError(`snapshot: got ${JSON.stringify(action)}, expected create or delete`);
  }
  try {
    resourceId(name ?? "");
  } catch (error) {
    throw new UsageError(
      `snapshot ${action}: got name ${JSON.stringify(name)}, expected ${(error as Error).message}`,
    );
  }
  const client = await connect(config);
  try {
    if (action === "create") {
      await client.subscription(config.subscription).createSnapshot(name as string);
      console.log(`created snapshot ${name} of ${config.subscription}`);
    } else {
      await client.snapshot(name as string).delete();
      console.log(`deleted snapshot ${name}`);
    }
  } finally {
    await client.close();
  }
}
