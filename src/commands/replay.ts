/**
 * `event-tool replay`: seeks the subscription back to a time (`--since 10m`, `--to <time>`) or a
 * snapshot (`--snapshot NAME`), so Pub/Sub delivers those events again: the way to reprocess
 * events after fixing a handler, and to recover what the emulator stranded after a crash.
 */
import { UsageError } from "../base/errors.ts";
import { type Config, SETTINGS } from "../config/settings.ts";
import { describeTarget } from "../pubsub/client.ts";
import { connect } from "../pubsub/connect.ts";

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
  return config.to ?? new Date(now - (config.since ?? 0));
}

/** Runs `replay`: one line on stdout saying what was done. */
export async function run(config: Config): Promise<void> {
  const target = seekTarget(config);
  const client = await connect(config);
  try {
    const subscription = client.subscription(config.subscription);
    await subscription.seek(typeof target === "string" ? client.snapshot(target).name : target);
  } finally {
    await client.close();
  }
  const where = typeof target === "string" ? `snapshot ${target}` : target.toISOString();
  console.log(`replayed ${config.subscription} from ${where} on ${describeTarget(config)}`);
}
