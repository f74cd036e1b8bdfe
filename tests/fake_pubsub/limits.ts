/**
 * The service's documented limits, as the fake enforces them, and the checks of an ack or
 * deadline-change request (on a stream or by RPC) against them.
 */
import { CODE, type GrpcError, grpcError } from "./protos.ts";

/** Ack IDs in one Acknowledge, ModifyAckDeadline or StreamingPull request. */
export const MAX_ACK_IDS = 2500;
/** Bytes of one Acknowledge, ModifyAckDeadline or StreamingPull request. */
export const MAX_REQUEST_BYTES = 512 * 1024;
/** Bytes of one message (data, attributes, ordering key). */
export const MAX_MESSAGE_BYTES = 10_000_000;
/** Bytes of one Publish request. */
export const MAX_PUBLISH_BYTES = 10_000_000;
/** Messages in one Publish request. */
export const MAX_PUBLISH_MESSAGES = 1000;
/** Ack deadlines, in seconds (0 is a nack where a deadline change allows it). */
export const MIN_DEADLINE_S = 10;
export const MAX_DEADLINE_S = 600;

/** What is wrong with an ack/deadline request, or undefined. */
export function checkAckRequest(
  bytes: number,
  ackIds: number,
  deadlines: readonly number[],
  modackIds: number,
): GrpcError | undefined {
  if (bytes > MAX_REQUEST_BYTES) {
    return grpcError(
      CODE.INVALID_ARGUMENT,
      `Request payload size exceeds the limit: ${MAX_REQUEST_BYTES} bytes (got ${bytes}).`,
    );
  }
  if (ackIds > MAX_ACK_IDS || modackIds > MAX_ACK_IDS) {
    return grpcError(
      CODE.INVALID_ARGUMENT,
      `Too many ack IDs in one request: at most ${MAX_ACK_IDS}, got ${
        Math.max(ackIds, modackIds)
      }.`,
    );
  }
  if (deadlines.length !== modackIds) {
    return grpcError(
      CODE.INVALID_ARGUMENT,
      `modify_deadline_seconds has ${deadlines.length} values for ${modackIds} ack IDs.`,
    );
  }
  const bad = deadlines.find((s) => s < 0 || s > MAX_DEADLINE_S);
  if (bad !== undefined) {
    return grpcError(
      CODE.INVALID_ARGUMENT,
      `Invalid ack deadline ${bad}: must be between 0 and ${MAX_DEADLINE_S} seconds.`,
    );
  }
  return undefined;
}

/** The stream ack deadline `seconds` checked. */
export function checkStreamDeadline(seconds: number): GrpcError | undefined {
  if (seconds >= MIN_DEADLINE_S && seconds <= MAX_DEADLINE_S) return undefined;
  return grpcError(
    CODE.INVALID_ARGUMENT,
    `Invalid stream_ack_deadline_seconds ${seconds}: must be between ${MIN_DEADLINE_S} and ` +
      `${MAX_DEADLINE_S}.`,
  );
}
