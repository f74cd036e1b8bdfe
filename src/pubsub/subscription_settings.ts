/**
 * The settings event-tool manages on a subscription, as one table: how each is built from the
 * configuration, read back from Pub/Sub, shown to people (`ack deadline 60s → 120s`), and
 * whether `setup --update` can change it. Setup, status and the worker's start-up check use it.
 */
import type { CreateSubscriptionOptions, protos, SubscriptionMetadata } from "@google-cloud/pubsub";
import type { Config } from "../config/settings.ts";

type Metadata = protos.google.pubsub.v1.ISubscription;
type Duration = protos.google.protobuf.IDuration | null | undefined;

/** One setting that differs between Pub/Sub and the configuration. */
export interface Drift {
  /** The setting in words, e.g. `ack deadline`. */
  setting: string;
  /** As it is on Pub/Sub. */
  now: string;
  /** As the configuration wants it. */
  wanted: string;
  /** The metadata that changes it (`setup --update`); undefined when Pub/Sub cannot change it
   * on an existing subscription (recreate it). */
  apply?: SubscriptionMetadata;
}

function pb(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

function msOf(duration: Duration): number | undefined {
  if (!duration) return undefined;
  return Number(duration.seconds ?? 0) * 1000 + Math.round((duration.nanos ?? 0) / 1e6);
}

/** Milliseconds as the flags take them: `600ms`, `60s`, `600s`, `1h`, `168h`, `1200m`. */
export function showDuration(ms: number | undefined): string {
  if (ms === undefined) return "unset";
  if (ms % 1000 !== 0) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 1000) return `${s}s`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  return s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/** The last part of a resource name: `projects/p/topics/t` → `t`. */
export function shortName(name: string | null | undefined): string {
  return name ? name.split("/").at(-1) ?? name : "none";
}

/**
 * The subscription settings for `config`: the main subscription when `deadLetterTopic` (its full
 * name) is given, else the dead-letter subscription (no retry or dead-letter policy of its own).
 */
export function settingsOf(config: Config, deadLetterTopic?: string): CreateSubscriptionOptions {
  const common: CreateSubscriptionOptions = {
    ackDeadlineSeconds: Math.round(config.ackDeadline / 1000),
    expirationPolicy: {},
  };
  if (deadLetterTopic === undefined) return common;
  return {
    ...common,
    retryPolicy: {
      minimumBackoff: pb(config.retryMinBackoff),
      maximumBackoff: pb(config.retryMaxBackoff),
    },
    deadLetterPolicy: { deadLetterTopic, maxDeliveryAttempts: config.maxDeliveryAttempts },
    enableMessageOrdering: config.messageOrdering,
    enableExactlyOnceDelivery: config.exactlyOnce,
    // What `replay` needs: acked events kept for the replay window, so a seek to a time brings
    // them back too (without it, only unacked ones come back).
    ...(config.replayWindow > 0
      ? { retainAckedMessages: true, messageRetentionDuration: pb(config.replayWindow) }
      : { retainAckedMessages: false }),
  };
}

/** One managed setting: its name, how it reads from metadata, how it is changed. */
interface Managed {
  setting: string;
  read(m: Metadata | CreateSubscriptionOptions): string;
  /** The metadata that sets it to `wanted`'s value; undefined when it cannot change. */
  apply?(wanted: CreateSubscriptionOptions): SubscriptionMetadata;
  /** Compared only when the wanted settings have it (the dead-letter subscription has fewer). */
  when?(wanted: CreateSubscriptionOptions): boolean;
}

const replayWindow = (m: Metadata | CreateSubscriptionOptions) =>
  m.retainAckedMessages ? showDuration(msOf(m.messageRetentionDuration as Duration)) : "off";

const MANAGED: Managed[] = [
  {
    setting: "ack deadline",
    read: (m) => showDuration((m.ackDeadlineSeconds ?? 10) * 1000),
    apply: (w) => ({ ackDeadlineSeconds: w.ackDeadlineSeconds ?? null }),
  },
  {
    setting: "retry backoff",
    read: (m) =>
      m.retryPolicy
        ? `${showDuration(msOf(m.retryPolicy.minimumBackoff as Duration))} to ${
          showDuration(msOf(m.retryPolicy.maximumBackoff as Duration))
        }`
        : "none (immediate)",
    apply: (w) => ({ retryPolicy: w.retryPolicy ?? null }),
    when: (w) => w.retryPolicy !== undefined,
  },
  {
    setting: "dead-letter topic",
    read: (m) => shortName(m.deadLetterPolicy?.deadLetterTopic),
    apply: (w) => ({ deadLetterPolicy: w.deadLetterPolicy ?? null }),
    when: (w) => w.deadLetterPolicy !== undefined,
  },
  {
    setting: "max delivery attempts",
    read: (m) => String(m.deadLetterPolicy?.maxDeliveryAttempts ?? "none"),
    apply: (w) => ({ deadLetterPolicy: w.deadLetterPolicy ?? null }),
    when: (w) => w.deadLetterPolicy !== undefined,
  },
  {
    setting: "replay window",
    read: replayWindow,
    apply: (w) => ({
      retainAckedMessages: w.retainAckedMessages ?? false,
      ...(w.messageRetentionDuration
        ? { messageRetentionDuration: w.messageRetentionDuration }
        : {}),
    }),
    when: (w) => w.retainAckedMessages !== undefined,
  },
  {
    // Pub/Sub cannot change it on an existing subscription: no `apply`, recreate it.
    setting: "message ordering",
    read: (m) => m.enableMessageOrdering ? "on" : "off",
    when: (w) => w.enableMessageOrdering !== undefined,
  },
  {
    setting: "exactly-once delivery",
    read: (m) => m.enableExactlyOnceDelivery ? "on" : "off",
    apply: (w) => ({ enableExactlyOnceDelivery: w.enableExactlyOnceDelivery ?? false }),
    when: (w) => w.enableExactlyOnceDelivery !== undefined,
  },
  {
    setting: "expiry",
    read: (m) => {
      const policy = m.expirationPolicy;
      const ttl = policy ? msOf(policy.ttl as Duration) : 31 * 24 * 3_600_000;
      return ttl === undefined ? "never" : showDuration(ttl);
    },
    apply: () => ({ expirationPolicy: {} }),
  },
];

/** What differs between `existing` and `wanted`, setting by setting. */
export function driftOf(existing: Metadata, wanted: CreateSubscriptionOptions): Drift[] {
  const drift: Drift[] = [];
  for (const m of MANAGED) {
    if (m.when && !m.when(wanted)) continue;
    const now = m.read(existing);
    const want = m.read(wanted);
    if (now === want) continue;
    drift.push({
      setting: m.setting,
      now,
      wanted: want,
      ...(m.apply ? { apply: m.apply(wanted) } : {}),
    });
  }
  return drift;
}

/** The managed settings of `m` as `setting: value` lines (status). */
export function describeSettings(m: Metadata): [string, string][] {
  return MANAGED.map((s) => [s.setting, s.read(m)]);
}
