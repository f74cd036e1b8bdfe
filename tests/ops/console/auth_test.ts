import assert from "node:assert/strict";
import { ConsoleGuard, isLoopback, SECURITY_HEADERS } from "../../../src/ops/console/auth.ts";
import { Router } from "../../../src/ops/router.ts";

const TOKEN = "a-token-of-24-characters";

/** A router with one page, one read and one action behind `guard`; counts the actions done. */
function harness(guard: ConsoleGuard) {
  const done: string[] = [];
  const router = new Router(() => new Response(null, { status: 404 }))
    .get("/page", guard.page(() => new Response("page")))
    .get("/read", guard.read(() => new Response("read")))
    .post(
      "/act",
      guard.action("acting", (_request, audit) => {
        audit("acted");
        done.push("acted");
        return new Response("done");
      }),
    );
  const send = (path: string, headers: Record<string, string> = {}, method = "GET") =>
    router.handle(
      new Request(`http://127.0.0.1:9464${path}`, {
        method,
        headers: { host: "127.0.0.1:9464", ...headers },
      }),
      "127.0.0.1",
    );
  return { done, send };
}

Deno.test("ConsoleGuard without a token: pages and reads open, every action refused (read-only)", async () => {
  const guard = new ConsoleGuard("127.0.0.1", undefined);
  assert.equal(guard.actions, "off");
  const { done, send } = harness(guard);
  const page = await send("/page");
  assert.equal(page.status, 200);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assert.equal(page.headers.get(name), value);
  }
  assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self';/);
  assert.doesNotMatch(page.headers.get("content-security-policy") ?? "", /unsafe-inline/);
  const act = await send("/act", { authorization: `Bearer ${TOKEN}` }, "POST");
  assert.equal(act.status, 403);
  assert.match((await act.json()).error, /read-only: set --console-token\/WORKER_CONSOLE_TOKEN/);
  assert.deepEqual(done, []);
});

Deno.test("ConsoleGuard actions need the token and the console's own origin", async () => {
  const { done, send } = harness(new ConsoleGuard("127.0.0.1", TOKEN));
  const status = async (headers: Record<string, string>) => {
    const response = await send("/act", headers, "POST");
    await response.body?.cancel();
    return response.status;
  };
  const bearer = { authorization: `Bearer ${TOKEN}` };
  assert.equal(await status({}), 401, "no token");
  assert.equal(await status({ authorization: "Bearer a-token-of-24-characterz" }), 401);
  assert.equal(await status({ authorization: TOKEN }), 401, "not as a bearer token");
  assert.equal(await status({ ...bearer, "sec-fetch-site": "cross-site" }), 403);
  assert.equal(await status({ ...bearer, "sec-fetch-site": "same-site" }), 403);
  assert.equal(await status({ ...bearer, origin: "http://evil.example" }), 403);
  assert.equal(await status({ ...bearer, origin: "http://127.0.0.1:9465" }), 403, "another port");
  assert.equal(await status({ ...bearer, origin: "null" }), 403);
  assert.deepEqual(done, []);
  assert.equal(await status(bearer), 200, "a client that is not a browser");
  assert.equal(
    await status({ ...bearer, origin: "http://127.0.0.1:9464", "sec-fetch-site": "same-origin" }),
    200,
    "the console's own page",
  );
  assert.deepEqual(done, ["acted", "acted"]);
});

Deno.test("ConsoleGuard on a loopback address answers only loopback Host names (DNS rebinding)", async () => {
  const { send } = harness(new ConsoleGuard("127.0.0.1", TOKEN));
  for (const host of ["localhost:9464", "127.0.0.1:9464", "[::1]:9464"]) {
    assert.equal((await send("/page", { host })).status, 200, host);
  }
  const rebound = await send("/page", { host: "rebind.example:9464" });
  assert.equal(rebound.status, 403);
  assert.match((await rebound.json()).error, /Host "rebind.example:9464"/);
  const open = harness(new ConsoleGuard("0.0.0.0", TOKEN));
  const any = await open.send("/page", { host: "worker-1.internal:9464" });
  assert.equal(any.status, 200, "on every interface the Host is whatever names the machine");
  await any.body?.cancel();
});

Deno.test("ConsoleGuard reads are not served to another site's page", async () => {
  const { send } = harness(new ConsoleGuard("127.0.0.1", undefined));
  const crossSite = await send("/read", { "sec-fetch-site": "cross-site" });
  assert.equal(crossSite.status, 403);
  await crossSite.body?.cancel();
  const own = await send("/read", { "sec-fetch-site": "same-origin" });
  assert.equal(await own.text(), "read");
});

Deno.test("isLoopback() knows the loopback addresses", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    assert.ok(isLoopback(host), host);
  }
  for (const host of ["0.0.0.0", "10.0.0.1", "::", "example.com"]) {
    assert.ok(!isLoopback(host), host);
  }
});
