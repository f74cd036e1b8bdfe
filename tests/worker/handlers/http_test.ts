/**
 * The HTTP handler against a real HTTP server on loopback and the real emulator: CloudEvents
 * headers, retries, dead-lettering, Retry-After, timeouts, a service that is down.
 */
import assert from "node:assert/strict";
import { sleep } from "../../../src/base/async.ts";
import {
  ceHeaderValue,
  cloudEventHeaders,
  httpHandler,
  MAX_ERROR_BODY_BYTES,
  readBodyPrefix,
  retryAfterMs,
} from "../../../src/worker/handlers/http.ts";
import { RejectedError, RetryableError } from "../../../src/worker/handler.ts";
import { fakeEvent } from "../../../src/event/payload.ts";
import { eventSource } from "../../../src/worker/handlers/resolve.ts";
import { freePort } from "../../../src/pubsub/emulator.ts";
import { integrationTest } from "../../support/emulator.ts";
import { createTopology, publishEvents, pull, testConfig } from "../../support/pubsub.ts";
import { runWorker } from "../../support/worker.ts";
import { handlerContext } from "../../support/handler.ts";
import type { Config } from "../../../src/config/settings.ts";
import type { Handler } from "../../../src/worker/handler.ts";

/** A receiver on loopback whose answer the test decides per request. */
function receiver(answer: (request: Request, seen: number) => Response | Promise<Response>) {
  const requests: { method: string; headers: Headers; body: string }[] = [];
  const counts = new Map<string, number>();
  const port = freePort();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    async (request) => {
      requests.push({
        method: request.method,
        headers: new Headers(request.headers),
        body: await request.clone().text(),
      });
      const id = request.headers.get("ce-id") ?? "";
      const seen = (counts.get(id) ?? 0) + 1;
      counts.set(id, seen);
      return answer(request, seen);
    },
  );
  return { url: new URL(`http://127.0.0.1:${port}/events`), requests, counts, server };
}

const handlerFor = (config: Config, url: URL, headers: [string, string][] = []) =>
  httpHandler({ url, source: eventSource(config), headers });

Deno.test("retryAfterMs() reads seconds or a date, caps at 60 s, ignores nonsense", () => {
  assert.equal(retryAfterMs("2"), 2000);
  assert.equal(retryAfterMs("3600"), 60_000);
  const now = Date.parse("2026-11-27T10:00:00Z");
  assert.equal(retryAfterMs("Fri, 27 Nov 2026 10:00:05 GMT", now), 5000);
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs("soon"), undefined);
});

Deno.test("cloudEventHeaders() carries the event's ordering key as ce-partitionkey, when it has one", () => {
  const event = { eventID: "e-1", createdAt: "2026-11-27T10:00:00Z" };
  const keyed = cloudEventHeaders(event, handlerContext({ orderingKey: "user-7" }), "//s");
  assert.equal(keyed["ce-partitionkey"], "user-7");
  assert.equal("ce-partitionkey" in cloudEventHeaders(event, handlerContext(), "//s"), false);
});

Deno.test("httpHandler() leaves 401, 403, 404, 407 and --retry-on to retry, dead-letters the rest", async () => {
  let status = 200;
  const service = receiver(() => new Response("token expired", { status }));
  try {
    const handler = httpHandler({ url: service.url, source: "//s", retryOn: [409] });
    const answer = async (code: number) => {
      status = code;
      return await handler(fakeEvent(), handlerContext()).then(() => undefined, (e) => e);
    };
    for (const code of [401, 403, 404, 407, 409]) {
      const error = await answer(code);
      assert.ok(error instanceof RetryableError, `${code}: ${error}`);
      assert.equal(error.status, code);
      assert.equal(
        error.message,
        `the handler service at ${service.url.href} answered ${code}: token expired`,
        "names the status and the URL",
      );
    }
    for (const code of [400, 410, 413, 415, 422]) {
      assert.ok(await answer(code) instanceof RejectedError, `${code} concerns the event`);
    }
  } finally {
    await service.server.shutdown();
  }
});

Deno.test("cloudEventHeaders() percent-encodes what a header cannot carry, as the binding says", () => {
  const headers = cloudEventHeaders(
    { eventID: "id 1", createdAt: "2026-11-27T10:00:00Z" },
    handlerContext({ eventType: "Paiement créé €" }),
    "//pubsub.googleapis.com/projects/p/topics/t",
  );
  assert.equal(headers["ce-type"], "Paiement%20cr%C3%A9%C3%A9%20%E2%82%AC");
  assert.equal(headers["ce-id"], "id%201");
  assert.equal(headers["ce-time"], "2026-11-27T10:00:00Z");
  assert.equal(ceHeaderValue('50% "off"'), "50%25%20%22off%22");
  assert.doesNotThrow(() => new Headers(headers));
});

Deno.test("httpHandler() refuses at start a header value HTTP cannot send, without showing it", () => {
  assert.throws(
    () =>
      httpHandler({
        url: new URL("http://127.0.0.1:1/"),
        source: "//s",
        headers: [["Authorization", "Bearer s3cr€t"]],
      }),
    (error: Error) => /header "Authorization"/.test(error.message) && !/s3cr/.test(error.message),
  );
});

integrationTest(
  "http handler: every event arrives as a CloudEvent with the right headers",
  async () => {
    const config = await testConfig({ poolSize: 20 });
    await createTopology(config);
    const payloads = await publishEvents(config, 50);
    const service = receiver(() => new Response(null, { status: 204 }));
    try {
      await runWorker(config, (r) => r.length >= 50, {
        handler: handlerFor(config, service.url, [["Authorization", "Bearer t0ken"]]),
      });
      assert.deepEqual(new Set(service.counts.keys()), new Set(payloads.map((p) => p.eventID)));
      const first = service.requests[0]!;
      const body = JSON.parse(first.body);
      assert.equal(first.method, "POST");
      assert.equal(first.headers.get("content-type"), "application/json");
      assert.equal(first.headers.get("ce-specversion"), "1.0");
      assert.equal(first.headers.get("ce-id"), body.eventID);
      assert.equal(first.headers.get("ce-type"), "PaymentMethodCreated");
      assert.equal(
        first.headers.get("ce-source"),
        `//pubsub.googleapis.com/projects/${config.project}/topics/${config.topic}`,
      );
      assert.equal(first.headers.get("ce-time"), body.createdAt);
      assert.match(first.headers.get("ce-pubsubmessageid") ?? "", /^\d+$/);
      assert.equal(first.headers.get("ce-deliveryattempt"), "1");
      assert.equal(first.headers.get("authorization"), "Bearer t0ken");
      assert.deepEqual(await pull(config, config.subscription), []);
    } finally {
      await service.server.shutdown();
    }
  },
);

integrationTest(
  "http handler: 500 twice then 200 is retried and not lost; 400 is dead-lettered once",
  async () => {
    const config = await testConfig({ poolSize: 10 });
    await createTopology(config);
    const payloads = await publishEvents(config, 20);
    const bad = new Set(payloads.slice(0, 3).map((p) => p.eventID));
    const flaky = new Set(payloads.slice(3, 8).map((p) => p.eventID));
    const service = receiver((request, seen) => {
      const id = request.headers.get("ce-id") ?? "";
      if (bad.has(id)) return new Response("card type not supported", { status: 400 });
      if (flaky.has(id) && seen <= 2) return new Response("busy", { status: 500 });
      return new Response(null, { status: 200 });
    });
    try {
      const { records } = await runWorker(
        config,
        (r) => r.filter((x) => x.outcome !== "nacked").length >= 20,
        { handler: handlerFor(config, service.url) },
      );
      const final = records.filter((r) => r.outcome !== "nacked");
      assert.equal(final.filter((r) => r.outcome === "acked").length, 17, "none lost");
      const dead = final.filter((r) => r.outcome === "dead-lettered");
      assert.deepEqual(new Set(dead.map((r) => r.eventID)), bad);
      assert.ok(dead.every((r) => r.reason === "rejected"));
      for (const id of flaky) assert.equal(service.counts.get(id), 3, "two 500s, then success");
      const letters = await pull(config, config.deadLetterSubscription);
      assert.equal(letters.length, 3, "each rejected event dead-lettered once");
      assert.match(letters[0]?.attributes.detail ?? "", /answered 400: card type not supported/);
    } finally {
      await service.server.shutdown();
    }
  },
);

integrationTest("http handler: 429 with Retry-After is nacked only after that delay", async () => {
  const config = await testConfig({ poolSize: 5 });
  await createTopology(config);
  await publishEvents(config, 1);
  const times: number[] = [];
  const service = receiver((_request, seen) => {
    times.push(performance.now());
    return seen === 1
      ? new Response("slow down", { status: 429, headers: { "retry-after": "2" } })
      : new Response(null, { status: 204 });
  });
  try {
    await runWorker(config, (r) => r.some((x) => x.outcome === "acked"), {
      handler: handlerFor(config, service.url),
    });
    assert.equal(times.length, 2);
    const gap = (times[1] ?? 0) - (times[0] ?? 0);
    assert.ok(gap >= 1900, `redelivered ${gap.toFixed(0)} ms later (Retry-After: 2)`);
  } finally {
    await service.server.shutdown();
  }
});

integrationTest(
  "http handler: a slow service times out (permits back); a down one loses nothing",
  async () => {
    const config = await testConfig({ poolSize: 4, handlerTimeout: 300 });
    await createTopology(config);
    const payloads = await publishEvents(config, 12);
    let slow = true;
    const service = receiver(async () => {
      if (slow) await sleep(1000);
      return new Response(null, { status: 204 });
    });
    const down = { ...service, url: new URL(`http://127.0.0.1:${freePort()}/events`) };
    let target = service.url;
    // Route by hand so the test can point the same worker at a slow, a down, then a good service.
    const routed: Handler = (event, context) =>
      httpHandler({ url: target, source: eventSource(config) })(event, context);
    try {
      const { records, worker } = await runWorker(config, (r) => {
        const timeouts = r.filter((x) => /did not finish within 300ms/.test(x.detail ?? "")).length;
        if (timeouts >= 4 && slow) {
          slow = false;
          target = down.url; // now nothing listens: connection refused
        }
        const refused = r.filter((x) => /could not be reached/.test(x.detail ?? "")).length;
        if (refused >= 4 && target === down.url) target = service.url; // it comes back
        return new Set(r.filter((x) => x.outcome === "acked").map((x) => x.eventID)).size >= 12;
      }, { handler: routed });
      assert.equal(worker.stats.inFlight, 0, "every permit back");
      const acked = new Set(records.filter((r) => r.outcome === "acked").map((r) => r.eventID));
      assert.deepEqual(acked, new Set(payloads.map((p) => p.eventID)), "nothing lost");
      assert.ok(records.some((r) => /could not be reached/.test(r.detail ?? "")));
    } finally {
      await service.server.shutdown();
    }
  },
);

integrationTest(
  "http handler: a redirect is never followed: events nacked 'redirected', nothing sent elsewhere",
  async () => {
    const config = await testConfig({ poolSize: 10 });
    await createTopology(config);
    const payloads = await publishEvents(config, 20);
    // The other host: whatever reaches it (the body, the API key) has leaked.
    const other = receiver(() => new Response(null, { status: 204 }));
    const service = receiver((request) => {
      const id = request.headers.get("ce-id") ?? "";
      const half = payloads.findIndex((p) => p.eventID === id) % 2 === 0;
      // An http→https balancer (301 to a path of its own), and a 307 that keeps the POST and its
      // body and would carry the headers to another origin.
      return half
        ? new Response(null, { status: 301, headers: { location: "/moved?token=s3cret" } })
        : new Response(null, { status: 307, headers: { location: other.url.href } });
    });
    try {
      const { records } = await runWorker(
        config,
        (r) => new Set(r.map((x) => x.eventID)).size >= 20,
        { handler: handlerFor(config, service.url, [["Authorization", "Bearer t0ken"]]) },
      );
      assert.equal(records.filter((r) => r.outcome === "acked").length, 0, "none acked");
      assert.ok(records.every((r) => r.outcome === "nacked" && r.reason === "redirected"));
      assert.ok(records.some((r) =>
        /answered 301 redirecting to http:\/\/127.0.0.1:\d+\/moved\?…/
          .test(r.detail ?? "")
      ));
      assert.ok(!records.some((r) => /s3cret/.test(r.detail ?? "")), "no query in the detail");
      assert.equal(other.requests.length, 0, "nothing reached the other host");
      assert.ok(service.requests.every((r) => r.method === "POST"), "never turned into a GET");
    } finally {
      await service.server.shutdown();
      await other.server.shutdown();
    }
  },
);

Deno.test("readBodyPrefix() reads at most the limit of a huge error page", async () => {
  let pulled = 0;
  const chunk = new Uint8Array(64 * 1024).fill(120);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk.byteLength;
      if (pulled > 10 * 1024 * 1024) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const text = await readBodyPrefix(new Response(body, { status: 400 }), MAX_ERROR_BODY_BYTES);
  assert.equal(text.length, MAX_ERROR_BODY_BYTES);
  assert.ok(pulled <= 3 * chunk.byteLength, `pulled ${pulled} bytes of a 10 MB body`);
});

Deno.test("http handler: a refused connection's error names the URL without credentials or query", async () => {
  const port = freePort();
  const handler = httpHandler({
    url: new URL(`http://user:pa55@127.0.0.1:${port}/events?key=s3cret`),
    source: "//test",
  });
  const event = {
    eventID: crypto.randomUUID(),
    userID: crypto.randomUUID(),
    paymentMethodID: crypto.randomUUID(),
    paymentMethodType: "card" as const,
    createdAt: new Date().toISOString(),
  };
  const error = await handler(event, handlerContext()).then(() => undefined, (e: Error) => e);
  assert.ok(error instanceof Error, "a refused connection fails the handler");
  assert.match(error.message, /could not be reached/);
  assert.doesNotMatch(error.message, /pa55|s3cret/);
});
