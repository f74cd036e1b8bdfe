/**
 * The fake server as its own process, for the bench (bench/cases/fake_server.ts starts it, so its
 * CPU is not the bench's or the worker's): `deno run -A tests/fake_pubsub/serve.ts [options]`
 * with {@linkcode FakeServerOptions} as JSON. It prints `{"host": "127.0.0.1:<port>"}` on one
 * line, serves until its stdin closes, then prints what it recorded (a {@linkcode FakeSummary})
 * on one line and exits.
 */
import type { FakeSummary } from "../../bench/cases/fake_server.ts";
import { FakePubSub, type FakeServerOptions } from "./server.ts";

if (import.meta.main) {
  const options = JSON.parse(Deno.args[0] ?? "{}") as FakeServerOptions;
  const fake = await FakePubSub.start(options);
  console.log(JSON.stringify({ host: fake.host }));
  for await (const _ of Deno.stdin.readable) {
    // serve until the bench closes our stdin
  }
  const record = fake.record;
  const summary: FakeSummary = {
    acked: record.of("acked").map((e) => `${e.messageId}/${e.attempt}`),
    delivered: record.of("delivered").length,
    expired: record.of("expired").length,
    refused: record.of("refused").length,
    failed: record.of("failed").length,
  };
  console.log(JSON.stringify(summary));
  await fake.close();
  Deno.exit(0);
}
