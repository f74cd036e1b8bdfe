/**
 * Topics and subscriptions as resources: a subscription's proto as the service returns it
 * (defaults filled in), its checks on create and update, and the settings the fake runs it with.
 */
import { MAX_DEADLINE_S, MIN_DEADLINE_S } from "./limits.ts";
import { CODE, type GrpcError, grpcError } from "./protos.ts";
import type { SubscriptionSettings } from "./subscription.ts";

type Duration = { seconds?: string | number; nanos?: number } | null | undefined;

/** The fields of a Subscription the fake keeps and returns (proto-loader's camelCase). */
export interface SubscriptionProto {
  name: string;
  topic: string;
  ackDeadlineSeconds?: number;
  retainAckedMessages?: boolean;
  messageRetentionDuration?: Duration;
  enableMessageOrdering?: boolean;
  expirationPolicy?: { ttl?: Duration } | null;
  deadLetterPolicy?: { deadLetterTopic?: string; maxDeliveryAttempts?: number } | null;
  retryPolicy?: { minimumBackoff?: Duration; maximumBackoff?: Duration } | null;
  enableExactlyOnceDelivery?: boolean;
  state?: string;
  [field: string]: unknown;
}

/** The fields UpdateSubscription may change (update_mask paths). */
const UPDATABLE: Record<string, keyof SubscriptionProto> = {
  ack_deadline_seconds: "ackDeadlineSeconds",
  retain_acked_messages: "retainAckedMessages",
  message_retention_duration: "messageRetentionDuration",
  expiration_policy: "expirationPolicy",
  dead_letter_policy: "deadLetterPolicy",
  retry_policy: "retryPolicy",
  enable_exactly_once_delivery: "enableExactlyOnceDelivery",
  labels: "labels",
  filter: "filter",
  push_config: "pushConfig",
  detached: "detached",
};

const msOf = (d: Duration, fallback: number) =>
  d ? Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6) : fallback;

/** The subscription `request` creates, with the service's defaults, or why it cannot be. */
export function created(request: SubscriptionProto): SubscriptionProto | GrpcError {
  const proto: SubscriptionProto = {
    ...request,
    ackDeadlineSeconds: request.ackDeadlineSeconds || MIN_DEADLINE_S,
    messageRetentionDuration: request.messageRetentionDuration ?? { seconds: "604800", nanos: 0 },
    expirationPolicy: request.expirationPolicy ?? { ttl: { seconds: "2678400", nanos: 0 } },
    state: "ACTIVE",
  };
  return checked(proto);
}

/** `existing` with the fields of `update` named by `paths` (snake_case), or why it cannot be. */
export function updated(
  existing: SubscriptionProto,
  update: SubscriptionProto,
  paths: readonly string[],
): SubscriptionProto | GrpcError {
  if (paths.length === 0) return grpcError(CODE.INVALID_ARGUMENT, "update_mask is empty.");
  const proto = { ...existing };
  for (const path of paths) {
    const field = UPDATABLE[path];
    if (field === undefined) {
      return grpcError(CODE.INVALID_ARGUMENT, `Invalid update_mask path: ${path}.`);
    }
    proto[field] = update[field];
  }
  if (proto.ackDeadlineSeconds === undefined || proto.ackDeadlineSeconds === 0) {
    proto.ackDeadlineSeconds = MIN_DEADLINE_S;
  }
  return checked(proto);
}

function checked(proto: SubscriptionProto): SubscriptionProto | GrpcError {
  const seconds = proto.ackDeadlineSeconds ?? MIN_DEADLINE_S;
  if (seconds < MIN_DEADLINE_S || seconds > MAX_DEADLINE_S) {
    return grpcError(
      CODE.INVALID_ARGUMENT,
      `Invalid ack_deadline_seconds ${seconds}: must be between ${MIN_DEADLINE_S} and ` +
        `${MAX_DEADLINE_S}.`,
    );
  }
  const attempts = proto.deadLetterPolicy?.maxDeliveryAttempts;
  if (proto.deadLetterPolicy && attempts !== undefined && (attempts < 5 || attempts > 100)) {
    return grpcError(
      CODE.INVALID_ARGUMENT,
      `Invalid max_delivery_attempts ${attempts}: must be between 5 and 100.`,
    );
  }
  return proto;
}

/** What the fake runs `proto` with. */
export function settingsOf(proto: SubscriptionProto): SubscriptionSettings {
  const settings: SubscriptionSettings = {
    name: proto.name,
    topic: proto.topic,
    ackDeadlineSeconds: proto.ackDeadlineSeconds ?? MIN_DEADLINE_S,
    exactlyOnce: proto.enableExactlyOnceDelivery === true,
    ordering: proto.enableMessageOrdering === true,
  };
  const letter = proto.deadLetterPolicy;
  if (letter?.deadLetterTopic) {
    settings.deadLetter = {
      topic: letter.deadLetterTopic,
      maxDeliveryAttempts: letter.maxDeliveryAttempts || 5,
    };
  }
  if (proto.retryPolicy) {
    settings.retry = {
      minMs: msOf(proto.retryPolicy.minimumBackoff, 10_000),
      maxMs: msOf(proto.retryPolicy.maximumBackoff, 600_000),
    };
  }
  return settings;
}

/** Whether `value` is an error (rather than a proto). */
export function isError(value: unknown): value is GrpcError {
  return typeof (value as GrpcError).code === "number" && "details" in (value as object);
}
