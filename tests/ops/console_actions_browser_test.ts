/// <reference lib="dom" />
/**
 * The console's actions in a real browser, against a real worker on the emulator whose handler is
 * an HTTP service of the test: dead letters are requeued by clicking (one, a selection, every one
 * of a reason), each after a confirmation that says how many, and each is handled once; while
 * locked no action is shown and a POST without the token, or from another origin with it, is
 * refused; Pause stops new handler calls within 1 s, Resume continues, nothing is lost;
 * `event-tool console` serves the dead letters and the subscription without a worker; no page
 * shows a console error. With CONSOLE_SCREENSHOT set (docs/console.png), the Dead letters tab's
 * screenshot is written beside it (docs/console-dead-letters.png).
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { sleep } from "../../src/base/async.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import {
  launchBrowser,
  startConsoleWorker,
  textOf,
  unlock,
  watchedPage,
} from "../support/browser.ts";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, publishEvents, pullAll, testConfig } from "../support/pubsub.ts";
import { waitFor } from "../support/wait.ts";

const TOKEN = `console-test-${crypto.randomUUID()}`;

/** The worker's handler: an HTTP service that refuses (422) until `accepting`, then records
 * each call (its event ID, when it arrived) and answers 204 after `ms`. */
function handlerService(ms = 20) {
  const port = freePort();
  const state = { accepting: false, calls: [] as { eventID: string; at: number }[] };
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (r) => {
    await r.body?.cancel();
    if (!state.accepting) return new Response("card type not supported", { status: 422 });
    state.calls.push({ eventID: r.headers.get("ce-id") ?? "", at: Date.now() });
    await sleep(ms);
    return new Response(null, { status: 204 });
  });
  return { state, url: `http://127.0.0.1:${port}/events`, stop: () => server.shutdown() };
}

/** The `requeue` events the worker pushes to its pages, collected from its live stream. */
function followRequeues(url: string) {
  const seen: { done: number; total: number; ended?: boolean }[] = [];
  const controller = new AbortController();
  const reading = (async () => {
    const response = await fetch(`${url}console/api/live`, { signal: controller.signal });
    let buffer = "";
    for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const events = buffer.split("\n\n");
      buffer = events.pop() ?? "";
      for (const event of events) {
        const data = /^event: requeue\ndata: (.*)$/m.exec(event)?.[1];
        if (data) seen.push(JSON.parse(data));
      }
    }
  })().catch(() => {});
  return { seen, stop: () => (controller.abort(), reading) };
}

/** Clicks `selector`, checks the confirmation says `says`, confirms; resolves with the result. */
async function confirmRequeue(page: Page, selector: string, says: RegExp): Promise<string> {
  const before = await textOf(page, "#requeue-result");
  await page.click(selector);
  await page.waitForSelector("#requeue-confirm[open]");
  assert.match(await textOf(page, "#requeue-confirm-text"), says);
  await page.click("#requeue-go");
  await page.waitForFunction(
    (before) => {
      const text = document.getElementById("requeue-result")?.textContent ?? "";
      return text !== before && !text.startsWith("requeuing");
    },
    {},
    before,
  );
  return await textOf(page, "#requeue-result");
}

const rows = (page: Page) => page.$$eval("#dl-body tr[data-id]", (r) => r.length);

integrationTest(
  "worker --console: dead letters requeued by clicking after a confirmation, each handled once; refused without the token or from another origin",
  async () => {
    const service = handlerService();
    const { port, worker, url, config } = await startConsoleWorker(
      ["--handler-url", service.url],
      { WORKER_CONSOLE_TOKEN: TOKEN },
    );
    const outcomes = new Outcomes();
    outcomes.follow(worker);
    const browser = await launchBrowser();
    const pushed = followRequeues(url);
    try {
      const events = await publishEvents(config, 4);
      await outcomes.until(() => outcomes.count("dead-lettered") === 4, 20_000, "4 rejected");
      service.state.accepting = true; // the service is fixed
      const { page, problems } = await watchedPage(browser);
      await page.goto(`${url}#dead-letters`);
      await waitFor(async () => await rows(page) === 4, { what: "4 dead letters listed" });
      assert.equal(await textOf(page, 'td[data-reason="rejected"]'), "4");
      assert.equal(await page.$$eval("[data-action]", (n) => n.length), 0, "no action locked");

      const requeue = (headers: Record<string, string>, body: unknown = { all: true, expect: 4 }) =>
        fetch(`${url}console/api/dead-letters/requeue`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
      const anonymous = await requeue({});
      assert.equal(anonymous.status, 401, await anonymous.text());
      const crossOrigin = await requeue({
        authorization: `Bearer ${TOKEN}`,
        origin: "http://evil.example",
        "sec-fetch-site": "cross-site",
      });
      assert.equal(crossOrigin.status, 403, await crossOrigin.text());
      const changed = await requeue({ authorization: `Bearer ${TOKEN}` }, {
        reason: "rejected",
        expect: 3,
      });
      assert.equal(changed.status, 409);
      assert.match((await changed.json()).error, /^4 dead letters match now, not the 3 confirmed/);

      await unlock(page, TOKEN);
      // The tab with its actions, for the README (next to CONSOLE_SCREENSHOT when it is set).
      await page.waitForFunction(() => document.getElementById("state")?.textContent === "ready");
      const shot = Deno.env.get("CONSOLE_SCREENSHOT")?.replace(
        /[^/]+$/,
        "console-dead-letters.png",
      );
      await page.screenshot({
        path: (shot ?? `${await Deno.makeTempDir()}/dead-letters.png`) as `${string}.png`,
      });
      assert.equal(
        await confirmRequeue(
          page,
          '#dl-body tr[data-id] [data-action="requeue-one"]',
          /^Requeue 1 dead letter \(event [0-9a-f-]+\) to /,
        ),
        `requeued 1 to ${config.topic}; 3 remain on ${config.deadLetterSubscription}`,
      );
      await waitFor(async () => await rows(page) === 3, { what: "3 left" });
      const boxes = await page.$$('#dl-body [data-action="select"]');
      for (const box of boxes.slice(0, 2)) await box.click();
      assert.equal(await textOf(page, "#requeue-selected"), "Requeue selected (2)");
      assert.match(
        await confirmRequeue(page, "#requeue-selected", /^Requeue 2 dead letters \(selected\)/),
        /^requeued 2 to .*; 1 remain on /,
      );
      assert.match(
        await confirmRequeue(
          page,
          '[data-action="requeue-reason"][data-reason="rejected"]',
          /^Requeue 1 dead letter \(every one of reason rejected\)/,
        ),
        /^requeued 1 to .*; 0 remain on /,
      );
      await page.waitForFunction(() =>
        /No dead letter/.test(document.getElementById("dl-groups")?.textContent ?? "")
      );

      const ids = events.map((e) => e.eventID).sort();
      await waitFor(() => new Set(service.state.calls.map((c) => c.eventID)).size === 4, {
        timeoutMs: 20_000,
        what: "the 4 requeued events handled",
      });
      await outcomes.until(() => outcomes.count("acked") === 4, 10_000, "4 acked");
      await sleep(500); // a second copy, if any, would be handled by now
      assert.deepEqual(service.state.calls.map((c) => c.eventID).sort(), ids, "each once");
      await worker.waitForLine(
        /Console action from 127\.0\.0\.1: requeued 2 of 2 dead letters \(2 selected\) to /,
      );
      assert.ok(!worker.lines.some((line) => line.includes(TOKEN)), "the token is never logged");
      const finals = pushed.seen.filter((p) => !p.ended && p.done === p.total && p.total > 0);
      assert.deepEqual(finals.map((p) => p.total), [1, 2, 1], "progress pushed to the pages");
      assert.deepEqual(problems, [], "the page showed no error");
      assert.equal(port > 0, true);
    } finally {
      await pushed.stop();
      await browser.close();
      worker.process.kill("SIGTERM");
      await worker.finished;
      await service.stop();
    }
  },
);

integrationTest(
  "worker --console: Pause stops new handler calls within 1 s, Resume goes on, nothing is lost",
  async () => {
    const service = handlerService();
    service.state.accepting = true;
    const { port, worker, url, config } = await startConsoleWorker(
      ["--handler-url", service.url],
      { WORKER_CONSOLE_TOKEN: TOKEN },
    );
    const browser = await launchBrowser();
    // Events keep coming, 250/s, before, during and after the pause.
    const published: string[] = [];
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        published.push(...(await publishEvents(config, 25)).map((e) => e.eventID));
        await sleep(100);
      }
    })();
    try {
      const { page, problems } = await watchedPage(browser);
      await page.goto(url);
      await unlock(page, TOKEN);
      await page.waitForSelector('#pause[data-action="pause"]');
      await waitFor(() => service.state.calls.length >= 100, { what: "100 handler calls" });
      const pausedAt = Date.now();
      await page.click("#pause");
      await page.waitForSelector('#resume[data-action="resume"]');
      await page.waitForFunction(() => document.getElementById("state")?.textContent === "paused");
      await sleep(2000);
      const late = service.state.calls.filter((c) => c.at > pausedAt + 1000);
      assert.deepEqual(late, [], "no handler call began later than 1 s after Pause");
      const readyz = await fetch(`${url}readyz`);
      assert.equal(readyz.status, 503);
      assert.match(
        await readyz.text(),
        /^not ready: paused \(operator since .*: paused from the console \(127\.0\.0\.1\)\)/,
      );
      const metrics = await (await fetch(`${url}metrics`)).text();
      assert.match(metrics, /^event_tool_paused\{reason="operator"\} 1$/m);
      await page.screenshot({ path: `${await Deno.makeTempDir()}/paused.png` });
      const before = service.state.calls.length;

      await page.click("#resume");
      await page.waitForFunction(() => document.getElementById("state")?.textContent === "ready");
      await waitFor(() => service.state.calls.length > before, { what: "calls after Resume" });
      publishing = false;
      await publisher;
      const handled = () => new Set(service.state.calls.map((c) => c.eventID));
      await waitFor(() => published.every((id) => handled().has(id)), {
        timeoutMs: 30_000,
        what: `all ${published.length} published events handled`,
        progress: () => `${handled().size} handled`,
      });
      await waitFor(async () => {
        const text = await (await fetch(`${url}metrics`)).text();
        return /^event_tool_events_acked_total (\d+)$/m.exec(text)?.[1] ===
          String(published.length);
      }, { timeoutMs: 10_000, what: `${published.length} acked on /metrics` });
      await worker.waitForLine(/Console action from 127\.0\.0\.1: paused pulling/);
      await worker.waitForLine(/Console action from 127\.0\.0\.1: resumed pulling/);
      assert.deepEqual(problems, [], "the page showed no error");
      assert.equal(port > 0, true);
    } finally {
      publishing = false;
      await publisher.catch(() => {});
      await browser.close();
      worker.process.kill("SIGTERM");
      await worker.finished;
      await service.stop();
    }
  },
);

integrationTest(
  "event-tool console: without a worker, dead letters and the subscription only; requeue by clicking",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const client = createClient(config);
    const letters = await Promise.all(
      ["a", "b"].map((name) =>
        client.topic(config.deadLetterTopic).publishMessage({
          data: new TextEncoder().encode(JSON.stringify({ eventID: name })),
          attributes: { eventType: "T", reason: "max-attempts", detail: "d", messageId: "1" },
        })
      ),
    );
    await client.close();
    const port = freePort();
    const server = spawnCli(["console"], {
      ...envFor(config),
      METRICS_PORT: String(port),
      WORKER_CONSOLE_TOKEN: TOKEN,
    });
    const url = `http://127.0.0.1:${port}/`;
    const browser = await launchBrowser();
    try {
      await server.waitForLine(/Console on http/);
      const { page, problems } = await watchedPage(browser);
      await page.goto(url);
      await waitFor(async () => await rows(page) === 2, { what: "2 dead letters listed" });
      assert.deepEqual(
        await page.$$eval("#tabs a", (links) => links.map((a) => a.textContent)),
        ["Dead letters", "Subscription"],
      );
      assert.equal(await textOf(page, "#state"), "console only");
      const outcomes = await fetch(`${url}console/api/outcomes`);
      assert.equal(outcomes.status, 404, "no worker, no outcomes");
      await outcomes.body?.cancel();
      await unlock(page, TOKEN);
      assert.equal(await page.$("#pause"), null, "nothing to pause");
      assert.match(
        await confirmRequeue(
          page,
          '[data-action="requeue-reason"][data-reason="max-attempts"]',
          /^Requeue 2 dead letters \(every one of reason max-attempts\)/,
        ),
        /^requeued 2 to .*; 0 remain on /,
      );
      const copies = await pullAll(config, config.subscription, 2);
      assert.deepEqual(copies.map((m) => m.attributes.requeuedFrom).sort(), letters.sort());
      assert.deepEqual(problems, [], "the page showed no error");
    } finally {
      await browser.close();
      server.process.kill("SIGTERM");
      assert.equal((await server.finished).code, 0);
    }
  },
);
