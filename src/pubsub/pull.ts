/**
 * Unary pulls on a subscription through the package's generated v1 client, built from the
 * client's own public options (emulator or Google Cloud alike): read messages without acking
 * them (a peek gives them straight back), and ack the ones a command has dealt with. For the
 * operator's commands (status, dead-letters), not for the worker's hot path.
 */
import { type PubSub, v1 } from "@google-cloud/pubsub";

/** A message pulled, with what is needed to ack it or give it back. */
export interface Pulled {
  readonly ackId: string;
  readonly messageId: string;
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  /** Its ordering key ("" when it has none). */
  readonly orderingKey: string;
  readonly publishTime: Date;
}

/** A puller on one subscription; `close()` when done. */
export interface Puller {
  /** Up to `max` messages, leased to this puller (fewer when fewer wait). */
  pull(max: number): Promise<Pulled[]>;
  /** Acknowledges `ackIds`: Pub/Sub will not deliver them again. */
  ack(ackIds: readonly string[]): Promise<void>;
  /** Gives `ackIds` back at once (ack deadline 0): they are delivered again. */
  release(ackIds: readonly string[]): Promise<void>;
  /** Keeps `ackIds` leased for `seconds` from now (their ack deadline). */
  extend(ackIds: readonly string[], seconds: number): Promise<void>;
  close(): Promise<void>;
}

/** Most ack IDs per request (Pub/Sub's request size limit allows far more; this is plenty). */
const ACK_BATCH = 1000;

/**
 * Options for a generated v1 client that reach what `client` reaches: its public `options`,
 * which the client completed for the emulator (address, insecure credentials) or Google Cloud.
 */
export function gapicOptions(client: PubSub): ConstructorParameters<typeof v1.SubscriberClient>[0] {
  const { port, ...rest } = client.options;
  return {
    ...rest,
    ...(port === undefined ? {} : { port: Number(port) }),
  } as ConstructorParameters<
    typeof v1.SubscriberClient
  >[0];
}

/** A {@linkcode Puller} on `subscription` with `client`'s connection settings. */
export function puller(client: PubSub, subscription: string): Puller {
  const api = new v1.SubscriberClient(gapicOptions(client));
  const name = client.subscription(subscription).name;
  const inBatches = async (
    ackIds: readonly string[],
    send: (ids: string[]) => Promise<unknown>,
  ) => {
    for (let i = 0; i < ackIds.length; i += ACK_BATCH) await send(ackIds.slice(i, i + ACK_BATCH));
  };
  const modify = (ackIds: readonly string[], seconds: number) =>
    inBatches(
      ackIds,
      (ids) =>
        api.modifyAckDeadline({ subscription: name, ackIds: ids, ackDeadlineSeconds: seconds }),
    );
  return {
    async pull(max) {
      const [response] = await api.pull({
        subscription: name,
        maxMessages: max,
        returnImmediately: true,
      });
      return (response.receivedMessages ?? []).map((received) => {
        const message = received.message ?? {};
        const seconds = Number(message.publishTime?.seconds ?? 0);
        const nanos = message.publishTime?.nanos ?? 0;
        return {
          ackId: received.ackId ?? "",
          messageId: message.messageId ?? "",
          data: message.data instanceof Uint8Array
            ? message.data
            : new TextEncoder().encode(String(message.data ?? "")),
          attributes: message.attributes ?? {},
          orderingKey: message.orderingKey ?? "",
          publishTime: new Date(seconds * 1000 + nanos / 1e6),
        };
      });
    },
    ack: (ackIds) =>
      inBatches(ackIds, (ids) => api.acknowledge({ subscription: name, ackIds: ids })),
    release: (ackIds) => modify(ackIds, 0),
    extend: (ackIds, seconds) => modify(ackIds, seconds),
    close: () => api.close(),
  };
}

/**
 * Pulls until `enough(pulled)` holds, `scan` messages were seen, or the subscription has no more
 * waiting (two empty pulls in a row). The caller acks or releases what it got.
 */
export async function pullUntil(
  source: Puller,
  scan: number,
  enough: (pulled: readonly Pulled[]) => boolean,
): Promise<Pulled[]> {
  const pulled: Pulled[] = [];
  for (let empty = 0; empty < 2 && pulled.length < scan && !enough(pulled);) {
    const batch = await source.pull(Math.min(1000, scan - pulled.length));
    if (batch.length === 0) {
      empty++;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } else {
      empty = 0;
      pulled.push(...batch);
    }
  }
  return pulled;
}
