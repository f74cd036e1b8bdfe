/**
 * `event-tool replay`: seeks the subscription back to a time (`--since 10m`, `--to <time>`) or a
 * snapshot (`--snapshot NAME`), so Pub/Sub delivers those events again: the way to reprocess
 * events after fixing a handler, and to recover what the emulator stranded after a crash.
 *
 * A seek to a time T marks every message published before T as acknowledged, including events
 * that were still waiting (in backoff, or never delivered), and every message after T as not
 * acknowledged. So before a time seek `replay` takes a snapshot of the subscription as it is and
 * prints the one command that undoes the replay (`replay --snapshot <name>`); a target in the
 * future, which would acknowledge the whole backlog, is refused.
 */
import { UsageError } from "../base/errors.ts";
import { type Config, SETTINGS } from "../config/settings.ts";
import { describeTarget } from "../pubsub/client.ts";
import { connect } from "../pubsub/connect.ts";
import { explainMissing } from "../pubsub/missing.ts";
import { snapshotError } from "./snapshot.ts";

export const summary =
  "seek the subscription back to a time or a snapshot, to process events again";

/** Command lines people run most (help shows them; a test parses each). */
export const examples = [
  "replay --since 10m",
  "replay --to 2026-11-27T09:30:00Z",
  "replay --snapshot before-deploy",
] as const;

/** Where to seek to: a time, or a snapshot's name. */
export function seekTarget(
  config: Pick<Config, "since" | "to" | "snapshot">,
  now = Date.now(),
): Date | string {
  const given = (["since", "to", "snapshot"] as const).filter((key) => config[key] !== undefined);
  if (given.length !== 1) {
    const flags = given.map((key) => SETTINGS[key].flag);
    throw new UsageError(
      `replay: got ${given.length === 0 ? "none" : flags.join(" and ")}, expected exactly one ` +
        `of ${SETTINGS.since.flag} <duration>, ${SETTINGS.to.flag} <time> or ` +
        `${SETTINGS.snapshot.flag} <name>`,
    );
  }
  if (config.snapshot !== undefined) return config.snapshot;
  if (config.to !== undefined && config.to.getTime() > now) {
    throw new UsageError(
      `${SETTINGS.to.flag}: got ${config.to.toISOString()}, expected a time in the past (now is ` +
        `${new Date(now).toISOString()}): a seek to the future acknowledges every waiting event`,
    );
  }
  return config.to ?? new Date(now - (config.since ?? 0));
}

/** The name of the snapshot taken before a time seek at `now`: `before-replay-<UTC time>`. */
export function undoSnapshotName(now = new Date()): string {
  return `before-replay-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "")}`;
}

/** Runs `replay`: one line on stdout saying what was done. */
export async function run(config: Config): Promise<void> {
  const target = seekTarget(config);
  const client = await connect(config);
  let undo: string | undefined;
  try {
    const subscription = client.subscription(config.subscription);
    if (typeof target !== "string") {
      undo = undoSnapshotName();
      await subscription.createSnapshot(undo).catch((error) => {
        const missing = explainMissing(error, "subscription", config);
        if (missing !== error) throw missing;
        throw new Error(
          `replay: could not take the snapshot ${undo} that would undo it, so nothing was ` +
            "replayed",
          { cause: error },
        );
      });
    }
    await subscription.seek(typeof target === "string" ? client.snapshot(target).name : target)
      .catch((error) => {
        throw typeof target === "string"
          ? snapshotError(error, target, config.subscription)
          : error;
      });
  } finally {
    await client.close();
  }
  const where = typeof target === "string" ? `snapshot ${target}` : target.toISOString();
  console.log(`replayed ${config.subscription} from ${where} on ${describeTarget(config)}`);
  if (undo !== undefined) {
    console.log(
      `events published before ${where} are now acknowledged, waiting ones included; to undo: ` +
        `event-tool replay ${SETTINGS.snapshot.flag} ${undo}`,
    );
  }
}
