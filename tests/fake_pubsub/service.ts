/**
 * The fake's unary methods of the Publisher and Subscriber services. Each call is recorded,
 * then answered as the faults say (nothing while hung, UNAVAILABLE on demand, acks late), then
 * by the resource's own rules. Methods not listed here answer UNIMPLEMENTED (grpc-js's default).
 */
import type * as grpc from "@grpc/grpc-js";
import { applyAcks, applyDeadlines, exactlyOnceError, failuresOf, malformedError } from "./acks.ts";
import { checkAckRequest, MAX_PUBLISH_BYTES, MAX_PUBLISH_MESSAGES } from "./limits.ts";
import { CODE, type GrpcError, grpcError } from "./protos.ts";
import type { CallRecord } from "./record.ts";
import type { FakePubSub } from "./server.ts";
import { sizeOf } from "./wire.ts";

type Request = Record<string, unknown> & {
  subscription?: unknown;
  ackIds?: string[];
  topic?: string;
};
type Answer = unknown | GrpcError | Promise<unknown | GrpcError>;

/** Thrown by a method to answer with an error. */
class Answered extends Error {
  constructor(readonly status: GrpcError) {
    super(status.details);
  }
}

/** Stops the call with `status`. */
export function fail(status: GrpcError): never {
  throw new Answered(status);
}

/** Wraps `method` as a grpc-js unary handler of `name` on `server`. */
function unary(
  server: FakePubSub,
  name: string,
  method: (request: Request, record: CallRecord) => Answer,
): grpc.handleUnaryCall<Request, unknown> {
  return async (call, callback) => {
    const request = call.request;
    const record = server.record.call({
      method: name,
      bytes: sizeOf(request),
      ackIds: name === "Acknowledge" ? request.ackIds?.length ?? 0 : 0,
      modacks: name === "ModifyAckDeadline" ? request.ackIds?.length ?? 0 : 0,
      code: 0,
    });
    if (server.faults.hanging) return; // never answered
    if (server.faults.takeUnavailable(server.now())) {
      record.code = CODE.UNAVAILABLE;
      return callback(grpcError(CODE.UNAVAILABLE, "The service is currently unavailable."));
    }
    const failure = server.faults.takeFailure(name);
    if (failure !== undefined) {
      record.code = failure;
      return callback(grpcError(failure, `${name} failed (a fault the test asked for).`));
    }
    try {
      const answer = await method(request, record);
      callback(null, answer);
    } catch (error) {
      if (!(error instanceof Answered)) throw error;
      record.code = error.status.code;
      callback(error.status);
    }
  };
}

/** An ack or deadline change by RPC: checks, applies, answers per ack ID. */
async function acknowledging(
  server: FakePubSub,
  request: Request,
  record: CallRecord,
  seconds: number | undefined,
): Promise<unknown> {
  const subscription = server.subscriptionOrFail(String(request.subscription ?? ""));
  const ackIds = request.ackIds ?? [];
  if (ackIds.length === 0) fail(grpcError(CODE.INVALID_ARGUMENT, "ack_ids is empty."));
  const deadlines = seconds === undefined ? [] : ackIds.map(() => seconds);
  const bad = checkAckRequest(
    record.bytes,
    ackIds.length,
    deadlines,
    seconds === undefined ? 0 : ackIds.length,
  );
  if (bad) fail(bad);
  const delay = server.faults.options.ackDelayMs ?? 0;
  if (seconds === undefined && delay > 0) await new Promise((r) => setTimeout(r, delay));
  const now = server.now();
  const applied = seconds === undefined
    ? applyAcks(subscription, ackIds, now, "rpc")
    : applyDeadlines(subscription, ackIds, deadlines, now, "rpc");
  server.pump(subscription);
  if (applied.malformed.length > 0) fail(malformedError(applied.malformed));
  const failed = failuresOf(applied);
  if (Object.keys(failed).length === 0) return {};
  record.failed = failed;
  fail(exactlyOnceError(failed));
}

/** The Publisher service's methods. */
export function publisherMethods(server: FakePubSub): grpc.UntypedServiceImplementation {
  return {
    createTopic: unary(server, "CreateTopic", (r) => server.createTopic(String(r.name))),
    getTopic: unary(server, "GetTopic", (r) => server.topicOrFail(String(r.topic))),
    deleteTopic: unary(server, "DeleteTopic", (r) => server.deleteTopic(String(r.topic))),
    listTopicSubscriptions: unary(server, "ListTopicSubscriptions", (r) => ({
      subscriptions: server.subscriptionsOf(String(r.topic)),
    })),
    publish: unary(server, "Publish", async (r, record) => {
      const delay = server.faults.options.publishDelayMs ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const messages = (r.messages ?? []) as {
        data?: Uint8Array;
        attributes?: Record<string, string>;
        orderingKey?: string;
      }[];
      if (messages.length === 0) fail(grpcError(CODE.INVALID_ARGUMENT, "messages is empty."));
      if (messages.length > MAX_PUBLISH_MESSAGES || record.bytes > MAX_PUBLISH_BYTES) {
        fail(
          grpcError(
            CODE.INVALID_ARGUMENT,
            `Request payload size exceeds the limit: ${MAX_PUBLISH_BYTES} bytes, ` +
              `${MAX_PUBLISH_MESSAGES} messages.`,
          ),
        );
      }
      return { messageIds: server.publish(String(r.topic), messages) };
    }),
  };
}

/** The Subscriber service's methods (StreamingPull is served by streams.ts). */
export function subscriberMethods(server: FakePubSub): grpc.UntypedServiceImplementation {
  return {
    createSubscription: unary(server, "CreateSubscription", (r) => server.createSubscription(r)),
    getSubscription: unary(
      server,
      "GetSubscription",
      (r) =>
        server.subscriptionOrFail(String(r.subscription)) && server.protoOf(String(r.subscription)),
    ),
    updateSubscription: unary(server, "UpdateSubscription", (r) => {
      const update = r.subscription as { name: string };
      const paths = (r.updateMask as { paths?: string[] } | undefined)?.paths ?? [];
      return server.updateSubscription(update, paths);
    }),
    deleteSubscription: unary(server, "DeleteSubscription", (r) => {
      server.deleteSubscription(String(r.subscription));
      return {};
    }),
    acknowledge: unary(server, "Acknowledge", (r, c) => acknowledging(server, r, c, undefined)),
    modifyAckDeadline: unary(
      server,
      "ModifyAckDeadline",
      (r, c) => acknowledging(server, r, c, Number(r.ackDeadlineSeconds ?? 0)),
    ),
    // Snapshots are not modelled: there are none (status lists them).
    listSnapshots: unary(server, "ListSnapshots", () => ({ snapshots: [] })),
    pull: unary(server, "Pull", (r) =>
      server.pull(
        String(r.subscription),
        Number(r.maxMessages ?? 0) || 1000,
        r.returnImmediately === true,
      )),
  };
}
