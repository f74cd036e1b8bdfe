import assert from "node:assert/strict";
import { Router } from "../../src/ops/router.ts";

const router = () =>
  new Router(() => new Response("fallback", { status: 404 }))
    .get("/a", () => new Response("get a"))
    .post("/a", ({ remote }) => new Response(`post a from ${remote}`))
    .get("/files/*", ({ url }) => new Response(`file ${url.pathname}`));

const call = async (r: Router, method: string, path: string) => {
  const response = await r.handle(new Request(`http://127.0.0.1${path}`, { method }), "10.0.0.1");
  return [response.status, await response.text(), response.headers.get("allow")] as const;
};

Deno.test("Router routes by method and exact path, HEAD as GET", async () => {
  const r = router();
  assert.deepEqual(await call(r, "GET", "/a"), [200, "get a", null]);
  assert.deepEqual(await call(r, "POST", "/a"), [200, "post a from 10.0.0.1", null]);
  assert.deepEqual((await call(r, "HEAD", "/a")).slice(0, 1), [200]);
  assert.deepEqual(await call(r, "GET", "/a/"), [404, "fallback", null]);
});

Deno.test("Router matches a prefix route and answers 405 with Allow for other methods", async () => {
  const r = router();
  assert.deepEqual(await call(r, "GET", "/files/x/y.js"), [200, "file /files/x/y.js", null]);
  assert.deepEqual(await call(r, "DELETE", "/a"), [405, "method not allowed\n", "GET, HEAD, POST"]);
  assert.deepEqual(await call(r, "POST", "/files/x"), [405, "method not allowed\n", "GET, HEAD"]);
});

Deno.test("Router refuses a route added twice", () => {
  assert.throws(() => router().get("/a", () => new Response()), /GET \/a is routed twice/);
});
