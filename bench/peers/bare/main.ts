/**
 * The bare-stream peer: the floor of any consumer of this npm package in Deno. The original Go
 * design's per-event work (JSON decode, one JSON log line, ack) on StreamingPull of the package's
 * generated `v1.SubscriberClient`, and nothing else: no pool, no lease extension, no reconnect,
 * no metrics, no validation. Each response's acks leave in one write on the stream that delivered
 * it, and its log lines in one write to stderr. Once EXPECT events were acked it prints one JSON
 * line on stdout (events, seconds from the first receipt to the last ack) and runs until SIGTERM,
 * so the bench reads its CPU and memory from /proc as for every consumer. The bench runs it on
 * no-op drains only (it has no handler to sleep in).
 *
 * Environment: PUBSUB_EMULATOR_HOST, PUBSUB_PROJECT_ID, PUBSUB_SUBSCRIPTION, WORKERS (the messages
 * all streams may hold, split between them), EXPECT, STREAMS (default 10, as the worker).
 */
import { PubSub, v1 } from "@google-cloud/pubsub";

const env = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const workers = env("WORKERS", 1000);
const expect = env("EXPECT", 0);
const streams = env("STREAMS", 10);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The high-level client completes the connection options for the emulator (address, insecure
// credentials); the generated client takes them as they are.
const client = new PubSub({
  projectId: Deno.env.get("PUBSUB_PROJECT_ID") ?? "local-project",
  apiEndpoint: Deno.env.get("PUBSUB_EMULATOR_HOST") ?? "localhost:8085",
  emulatorMode: true,
});
const { port, ...options } = client.options;
const api = new v1.SubscriberClient({ ...options, port: Number(port) } as never);
const subscription = client.subscription(Deno.env.get("PUBSUB_SUBSCRIPTION") ?? "").name;

interface Received {
  ackId: string;
  message: { data: Uint8Array; messageId: string };
}

let acked = 0;
let first = 0;
let stopping = false;
const calls = Array.from({ length: streams }, (_, i) => {
  const call = api.streamingPull({ timeout: 3_600_000 });
  call.write({
    subscription,
    streamAckDeadlineSeconds: 60,
    maxOutstandingMessages: Math.ceil(workers / streams),
    clientId: `bare-peer-${i}`,
  });
  call.on("data", ({ receivedMessages }: { receivedMessages: Received[] }) => {
    if (first === 0) first = performance.now();
    const ackIds: string[] = [];
    let lines = "";
    for (const { ackId, message } of receivedMessages) {
      const event = JSON.parse(decoder.decode(message.data)) as { eventID?: string };
      ackIds.push(ackId);
      lines += JSON.stringify({
        time: new Date().toISOString(),
        msg: "event handled",
        eventID: event.eventID,
        messageId: message.messageId,
      }) + "\n";
    }
    call.write({ ackIds });
    Deno.stderr.writeSync(encoder.encode(lines));
    acked += ackIds.length;
    if (acked >= expect && acked - ackIds.length < expect) {
      console.log(JSON.stringify({ events: acked, seconds: (performance.now() - first) / 1000 }));
    }
  });
  call.on("error", (error: Error) => {
    if (!stopping) console.error("bare peer:", error.message);
  });
  return call;
});

Deno.addSignalListener("SIGTERM", async () => {
  stopping = true;
  for (const call of calls) call.cancel();
  await api.close();
  await client.close();
  Deno.exit(0);
});
