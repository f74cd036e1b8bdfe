/**
 * `event-tool snapshot create|delete NAME`, `snapshot list`: a snapshot keeps the subscription's unacked messages
 * (and, with retained acks, the acked ones) as of now, so `replay --snapshot NAME` can go back
 * to exactly this point, e.g. before deploying a new handler.
 */
import { UsageError } from "../base/errors.ts";
import { resourceId } from "../config/parse.ts";
import type { Config } from "../config/settings.ts";
import { connect } from "../pubsub/connect.ts";
import { explainMissing } from "../pubsub/missing.ts";
import { codeOf, GRPC } from "../pubsub/grpc_codes.ts";

export const summary =
  "create, delete or list snapshots of the subscription (for replay --snapshot)";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "snapshot create before-deploy",
  "snapshot delete before-deploy",
  "snapshot list",
] as const;
/** Positional arguments, as commander declares them. */
export const args = ["<action>", "[name]"] as const;

const ACTIONS = ["create", "delete", "list"] as const;

/** A gRPC ALREADY_EXISTS or NOT_FOUND as the one plain line it means (exit 2); else as it is. */
export function snapshotError(error: unknown, name: string, subscription: string): unknown {
  const code = codeOf(error);
  if (code === GRPC.ALREADY_EXISTS) {
    return new UsageError(
      `snapshot ${name} already exists, expected a new name (or \`event-tool snapshot delete ` +
        `${name}\` first)`,
    );
  }
  if (code === GRPC.NOT_FOUND) {
    return new UsageError(
      `snapshot ${name} (or the subscription ${subscription}) does not exist, expected one ` +
        "that `event-tool snapshot list` shows",
    );
  }
  return error;
}

/** Runs `snapshot create NAME`, `snapshot delete NAME` or `snapshot list`. */
export async function run(config: Config, [action, name]: string[]): Promise<void> {
  if (!(ACTIONS as readonly (string | undefined)[]).includes(action)) {
    throw new UsageError(
      `snapshot: got ${JSON.stringify(action)}, expected create, delete or list`,
    );
  }
  if (action === "list") return await list(config);
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
  } catch (error) {
    throw snapshotError(error, name as string, config.subscription);
  } finally {
    await client.close();
  }
}

/** `snapshot list`: the snapshots of the subscription's topic, one per line with its expiry. */
async function list(config: Config): Promise<void> {
  const client = await connect(config);
  try {
    const [subscription] = await client.subscription(config.subscription).getMetadata()
      .catch((error) => {
        throw explainMissing(error, "subscription", config);
      });
    const [snapshots] = await client.getSnapshots();
    const ours = snapshots.filter((s) => s.metadata?.topic === subscription.topic);
    for (const snapshot of ours) {
      const expires = Number(snapshot.metadata?.expireTime?.seconds ?? 0) * 1000;
      console.log(
        `${snapshot.name.split("/").at(-1)}${
          expires ? `  expires ${new Date(expires).toISOString()}` : ""
        }`,
      );
    }
    console.log(`${ours.length} snapshot(s) of ${config.subscription}'s topic`);
  } finally {
    await client.close();
  }
}
