import assert from "node:assert/strict";
import client from "prom-client";
import { freePort } from "../../src/pubsub/emulator.ts";
import { UsageError } from "../../src/base/errors.ts";
import { serveOps } from "../../src/ops/server.ts";

Deno.test("serveOps() answers /metrics, /healthz and /readyz from its source", async () => {
  const registry = new client.Registry();
  new client.Counter({ name: "probe_total", help: "a probe", registers: [registry] }).inc(3);
  let ready = false;
  const server = serveOps(0, { registry, live: () => true, ready: () => ready });
  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
  try {
    const metrics = await get("/metrics");
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^probe_total 3$/m);
    const health = await get("/healthz");
    assert.equal(health.status, 200);
    await health.body?.cancel();
    const notReady = await get("/readyz");
    assert.equal(notReady.status, 503);
    await notReady.body?.cancel();
    ready = true;
    const nowReady = await get("/readyz");
    assert.equal(nowReady.status, 200);
    await nowReady.body?.cancel();
    const missing = await get("/nope");
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const posted = await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: "POST" });
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.get("allow"), "GET, HEAD");
    await posted.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveOps() on a port in use is a usage error naming the port", () => {
  const port = freePort();
  const blocker = Deno.listen({ port, hostname: "0.0.0.0" });
  try {
    const registry = new client.Registry();
    assert.throws(
      () => serveOps(port, { registry, live: () => true, ready: () => true }),
      (e: Error) => e instanceof UsageError && e.message.includes(`port ${port} is in use`),
    );
  } finally {
    blocker.close();
  }
});

Deno.test("serveOps() serves only the metrics named by name[] when asked", async () => {
  const registry = new client.Registry();
  new client.Counter({ name: "a_total", help: "a", registers: [registry] }).inc(1);
  new client.Counter({ name: "b_total", help: "b", registers: [registry] }).inc(2);
  new client.Gauge({ name: "c", help: "c", registers: [registry] }).set(3);
  const server = serveOps(0, { registry, live: () => true, ready: () => true });
  const text = (query: string) =>
    fetch(`http://127.0.0.1:${server.port}/metrics${query}`).then((r) => r.text());
  try {
    const some = await text("?name[]=a_total&name[]=c&name[]=unknown");
    assert.match(some, /^a_total 1$/m);
    assert.match(some, /^c 3$/m);
    assert.doesNotMatch(some, /b_total/);
    assert.match(await text(""), /^b_total 2$/m, "no name[]: every metric");
  } finally {
    await server.shutdown();
  }
});
