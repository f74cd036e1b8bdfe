/**
 * The part of the package's generated `v1.SubscriberClient` the subscriber uses: StreamingPull,
 * Acknowledge, ModifyAckDeadline and the channel's state. The worker talks to Pub/Sub only through
 * this interface, so unit tests drive the subscriber with an in-process fake of it.
 */
import { type PubSub, v1 } from "@google-cloud/pubsub";
import { gapicOptions } from "../pull.ts";

/** A StreamingPull request: the first one opens the stream, later ones ack and modack. */
export interface PullRequest {
  subscription?: string;
  streamAckDeadlineSeconds?: number;
  clientId?: string;
  maxOutstandingMessages?: number;
  maxOutstandingBytes?: number;
  ackIds?: string[];
  modifyDeadlineAckIds?: string[];
  modifyDeadlineSeconds?: number[];
}

/** One message as StreamingPull delivers it. */
export interface ReceivedProto {
  ackId?: string | null;
  deliveryAttempt?: number | null;
  message?: {
    data?: Uint8Array | string | null;
    attributes?: Record<string, string> | null;
    messageId?: string | null;
    publishTime?: { seconds?: number | string | Long | null; nanos?: number | null } | null;
    orderingKey?: string | null;
  } | null;
}
type Long = { toString(): string };

/** Acks or deadline changes the server confirms on an exactly-once subscription's stream. */
export interface Confirmation {
  ackIds?: string[] | null;
  invalidAckIds?: string[] | null;
  unorderedAckIds?: string[] | null;
  temporaryFailedAckIds?: string[] | null;
}

/** A StreamingPull response. */
export interface PullResponse {
  receivedMessages?: ReceivedProto[] | null;
  /** Sent with every response: whether the subscription delivers exactly once, in order. */
  subscriptionProperties?: {
    exactlyOnceDeliveryEnabled?: boolean | null;
    messageOrderingEnabled?: boolean | null;
  } | null;
  acknowledgeConfirmation?: Confirmation | null;
  modifyAckDeadlineConfirmation?: Confirmation | null;
}

/** A bidirectional StreamingPull call. */
export interface PullCall {
  write(request: PullRequest): unknown;
  end(): unknown;
  /** Cancels the call (the server sees the stream go away). */
  cancel(): void;
  pause(): unknown;
  resume(): unknown;
  on(event: "data", listener: (response: PullResponse) => void): unknown;
  on(event: "error", listener: (error: Error & { code?: number }) => void): unknown;
  on(event: "end" | "close", listener: () => void): unknown;
}

/** What the subscriber needs of the generated client. */
export interface SubscriberApi {
  /** Opens a StreamingPull call that ends by itself after `timeoutMs`. */
  streamingPull(timeoutMs: number): PullCall;
  acknowledge(subscription: string, ackIds: string[]): Promise<unknown>;
  modifyAckDeadline(subscription: string, ackIds: string[], seconds: number): Promise<unknown>;
  /** Whether the gRPC channel is connected (trying to connect when idle). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

const CHANNEL_READY = 2; // grpc.connectivityState.READY
/** How long one ack or deadline-change call may take (the Go client's bound). */
export const ACK_CALL_TIMEOUT_MS = 60_000;
/**
 * Ack and deadline-change calls are made once, within {@linkcode ACK_CALL_TIMEOUT_MS}: the
 * subscriber retries them itself (the library's own retries would last up to 600 s and hide
 * each ack ID's result).
 */
const ONCE = { retry: null, timeout: ACK_CALL_TIMEOUT_MS };

/** The generated client for what `client` reaches (emulator or Google Cloud). */
export function generatedApi(client: PubSub): SubscriberApi {
  const api = new v1.SubscriberClient(gapicOptions(client));
  return {
    streamingPull: (timeoutMs) => api.streamingPull({ timeout: timeoutMs }) as unknown as PullCall,
    acknowledge: (subscription, ackIds) => api.acknowledge({ subscription, ackIds }, ONCE),
    modifyAckDeadline: (subscription, ackIds, seconds) =>
      api.modifyAckDeadline({ subscription, ackIds, ackDeadlineSeconds: seconds }, ONCE),
    async ready() {
      await api.initialize();
      // The generated client's public stub: a grpc-js client, whose channel says its state.
      const stub = await api.subscriberStub as unknown as {
        getChannel(): { getConnectivityState(tryToConnect: boolean): number };
      };
      return stub.getChannel().getConnectivityState(true) === CHANNEL_READY;
    },
    close: () => api.close(),
  };
}
