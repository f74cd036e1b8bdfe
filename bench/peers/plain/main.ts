/**
 * The plain-client peer: what a team writes with @google-cloud/pubsub's high-level API and no
 * worker around it. `subscription.on("message")` with flow control of WORKERS messages, JSON
 * decode, a SLEEP_MS handler, one JSON log line per event, ack. Once EXPECT events were acked it
 * prints one JSON line on stdout (events, seconds from the first receipt to the last ack) and
 * runs until SIGTERM, so the bench reads its CPU and memory from /proc as for every consumer.
 *
 * Environment: PUBSUB_EMULATOR_HOST, PUBSUB_PROJECT_ID, PUBSUB_SUBSCRIPTION, WORKERS, SLEEP_MS,
 * EXPECT, STREAMS (default 10, as the worker).
 */
import { type Message, PubSub } from "@google-cloud/pubsub";

const env = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const workers = env("WORKERS", 1000);
const sleepMs = env("SLEEP_MS", 0);
const expect = env("EXPECT", 0);
const encoder = new TextEncoder();

const client = new PubSub({
  projectId: Deno.env.get("PUBSUB_PROJECT_ID") ?? "local-project",
  apiEndpoint: Deno.env.get("PUBSUB_EMULATOR_HOST") ?? "localhost:8085",
  emulatorMode: true,
});
const subscription = client.subscription(Deno.env.get("PUBSUB_SUBSCRIPTION") ?? "", {
  flowControl: { maxMessages: workers, allowExcessMessages: false },
  streamingOptions: { maxStreams: env("STREAMS", 10) },
});
let acked = 0;
let first = 0;
let last = 0;
subscription.on("message", async (message: Message) => {
  if (first === 0) first = performance.now();
  let event: { eventID?: string };
  try {
    event = JSON.parse(message.data.toString());
  } catch {
    message.nack();
    return;
  }
  if (sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, sleepMs));
  message.ack();
  Deno.stderr.writeSync(encoder.encode(
    JSON.stringify({ msg: "event handled", eventID: event.eventID, messageId: message.id }) + "\n",
  ));
  last = performance.now();
  if (++acked === expect) {
    console.log(JSON.stringify({ events: acked, seconds: (last - first) / 1000 }));
  }
});
subscription.on("error", (error) => console.error("plain peer:", error.message));
Deno.addSignalListener("SIGTERM", async () => {
  await subscription.close();
  await client.close();
  Deno.exit(0);
});
