/**
 * `event-tool replay`: seeks the subscription back to a time (`--since 10m`, `--to <time>`) or a
 * snapshot (`--snapshot NAME`), so Pub/Sub delivers those events again: the way to reprocess
 * events after fixing a handler, and to recover what the emulator stranded after a crash.
 *
 * A seek to a time T marks every message published before T as acknowledged, including events
 * that were still waiting (in backoff, or never delivered), and every message after T as not
 * acknowledged; a seek to a snapshot takes the snapshot's acks, so it too can acknowledge events
 * waiting now. So before any seek `replay` takes a snapshot of the subscription as it is and
 * prints the one command that undoes the replay (`replay --snapshot <name>`); a target at or
 * after now, which would acknowledge the whole backlog (`--since 0`, `--to` a future time), is
 * refused.
 *
 * A running worker handles the replayed events again, except copies of events it handled less
 * than `--dedupe-for` ago (2 min by default: within that time a copy is Pub/Sub's redelivery of a
 * lost ack): those it acks as duplicates. The command says so.
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
  const target = config.to ?? new Date(now - (config.since ?? 0));
  if (target.getTime() >= now) {
    const got = config.to !== undefined
      ? `${SETTINGS.to.flag}: got ${config.to.toISOString()}`
      : `${SETTINGS.since.flag}: got ${(config.since ?? 0) / 1000}s, which lands on now`;
    throw new UsageError(
      `${got}, expected a time in the past (now is ${new Date(now).toISOString()}): a seek to ` +
        "now or later acknowledges every waiting event",
    );
  }
  return target;
}

/**
 * The name of the snapshot taken before a seek at `now`: `before-replay-<UTC time>`, to the
 * millisecond (a replay and its undo can run within one second).
 */
export function undoSnapshotName(now = new Date()): string {
  return `before-replay-${now.toISOString().replace(/[-:.]/g, "")}`;
}

/** Runs `replay`: one line on stdout saying what was done. */
export async function run(config: Config): Promise<void> {
  const target = seekTarget(config);
  const client = await connect(config);
  const undo = undoSnapshotName();
  try {
    const subscription = client.subscription(config.subscription);
    await subscription.createSnapshot(undo).catch((error) => {
      const missing = explainMissing(error, "subscription", config);
      if (missing !== error) throw missing;
      throw new Error(
        `replay: could not take the snapshot ${undo} that would undo it, so nothing was replayed`,
        { cause: error },
      );
    });
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
  console.log(
    (typeof target === "string"
      ? `acknowledgements are now those of snapshot ${target}, waiting events included`
      : `events published before ${where} are now acknowledged, waiting ones included`) +
      `; to undo: event-tool replay ${SETTINGS.snapshot.flag} ${undo}`,
  );
  console.log(
    `running workers handle the replayed events again, except copies of events they handled ` +
      `less than ${SETTINGS.dedupeFor.flag} ago (default ${SETTINGS.dedupeFor.default}): those ` +
      "are acked as duplicates (restart the workers to handle them too)",
  );
}
