/** Messages and a dead-letter topic for unit tests of settle, deliver and shutdown. */
import type { PubSub } from "@google-cloud/pubsub";
import { ReceivedMessage } from "../../src/pubsub/subscriber/message.ts";
import { ACKED, type AckResult } from "../../src/pubsub/subscriber/ack_result.ts";
import { protos } from "./fake_pubsub.ts";

/**
 * A received message whose acks and nacks are recorded in `settled` (in order) and answered
 * with `result` (default: sent); `exactlyOnce` as if an exactly-once subscription delivered it.
 */
export function fakeMessage(
  data: unknown,
  settled: string[],
  deliveryAttempt = 1,
  { exactlyOnce = false, result = ACKED }: { exactlyOnce?: boolean; result?: AckResult } = {},
): ReceivedMessage {
  const [proto] = protos(1);
  const body = typeof data === "string" ? data : JSON.stringify(data);
  return new ReceivedMessage(
    {
      ...proto,
      deliveryAttempt,
      message: { ...proto!.message, data: new TextEncoder().encode(body) },
    },
    0,
    performance.now(),
    {
      settle: (m, ack, done) => {
        settled.push(`${ack ? "ack" : "nack"} ${m.id}`);
        done(result);
      },
      waiting: () => {},
    },
    exactlyOnce,
  );
}

/** A redelivery of `message`: the same message ID and data, a new ack ID, the next attempt. */
export function redelivered(message: ReceivedMessage, settled: string[]): ReceivedMessage {
  return new ReceivedMessage(
    {
      ackId: `${message.ackId}+`,
      deliveryAttempt: message.deliveryAttempt + 1,
      message: {
        messageId: message.id,
        data: message.data,
        attributes: message.attributes,
        orderingKey: message.orderingKey,
      },
    },
    0,
    performance.now(),
    {
      settle: (m, ack) => settled.push(`${ack ? "ack" : "nack"} ${m.id}`),
      waiting: () => {},
    },
  );
}

/** A client whose topics record what was published, failing with `failWith` when set. */
export function fakeClient(published: { attributes: Record<string, string> }[]) {
  const state: { failWith?: number } = {};
  const client = {
    topic: (name: string) => ({
      name: `projects/p/topics/${name}`,
      publishMessage(message: { attributes: Record<string, string> }) {
        if (state.failWith !== undefined) {
          return Promise.reject(
            Object.assign(new Error("publish failed"), { code: state.failWith }),
          );
        }
        published.push(message);
        return Promise.resolve("1");
      },
    }),
  } as unknown as PubSub;
  return { client, state };
}
