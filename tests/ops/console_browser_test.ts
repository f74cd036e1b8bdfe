/// <reference lib="dom" />
/**
 * `worker --console` in a real browser (chromium-headless-shell through puppeteer-core), against
 * real workers on the emulator: the live numbers move while events are published and then match
 * /metrics; a failed event appears in Recent outcomes within 2 s and is found by its eventID;
 * actions appear only once the page is unlocked with the token, and a POST without it, or from
 * another origin with it, is refused; a read-only worker shows no action at all (no requeue, no
 * pause) and refuses each; no page shows a console error. console_actions_browser_test.ts
 * clicks the actions. The Live page's screenshot is written to CONSOLE_SCREENSHOT (docs/console.png
 * for the README), else to a temporary file.
 */
import assert from "node:assert/strict";
import { sample } from "../../bench/measure/scrape.ts";
import { launchBrowser, startConsoleWorker, textOf, watchedPage } from "../support/browser.ts";
import { integrationTest } from "../support/emulator.ts";
import { publishEvents } from "../support/pubsub.ts";
import { publishRaw } from "../support/worker.ts";
import { waitFor } from "../support/wait.ts";
import type { Page } from "puppeteer-core";

const TOKEN = `console-test-${crypto.randomUUID()}`;
const BATCHES = 8;
const PER_BATCH = 250;

const metricsOf = (port: number) => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
const sumOf = (text: string, name: string) =>
  [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, "gm"))]
    .reduce((sum, m) => sum + Number(m[1]), 0);
/** A figure as the page shows it ("1,234" → 1234). */
const figure = async (page: Page, selector: string) =>
  Number((await textOf(page, selector)).replace(/,/g, ""));

const startWorker = (env: Record<string, string>) =>
  startConsoleWorker(["--simulate-latency", "20ms", "--simulate-failure-rate", "0.05"], env);

integrationTest(
  "worker --console: live figures, a failed event found, actions need the token",
  async () => {
    const { config, port, worker, url } = await startWorker({ WORKER_CONSOLE_TOKEN: TOKEN });
    const browser = await launchBrowser();
    try {
      const { page, problems } = await watchedPage(browser);
      await page.goto(url);
      assert.equal(new URL(page.url()).pathname, "/console/", "/ leads to the console");
      await page.waitForFunction(() => document.getElementById("state")?.textContent === "ready");
      assert.equal(
        await page.$$eval("[data-action]", (n) => n.length),
        0,
        "no action while locked",
      );

      // Numbers move while events are published.
      const ackedSeen = new Set<number>();
      let peakRate = 0;
      for (let batch = 0; batch < BATCHES; batch++) {
        await publishEvents(config, PER_BATCH);
        await new Promise((r) => setTimeout(r, 400));
        ackedSeen.add(await figure(page, "#t-acked"));
        peakRate = Math.max(peakRate, await figure(page, "#acked"));
      }
      assert.ok(ackedSeen.size >= 3, `acked since start moved: ${[...ackedSeen].join(", ")}`);
      assert.ok(peakRate > 0, "events/s acked went above 0");
      // The Live page under load, for the README.
      const shots = await Deno.makeTempDir({ prefix: "console-" });
      const shot = Deno.env.get("CONSOLE_SCREENSHOT") ?? `${shots}/console.png`;
      await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
      console.log(`screenshots: ${shot}, ${shots}`);

      // Once everything is handled, the page and /metrics agree.
      const total = BATCHES * PER_BATCH;
      let metrics = "";
      await waitFor(async () => {
        metrics = await metricsOf(port);
        return sample(metrics, "event_tool_events_acked_total") === total;
      }, { timeoutMs: 60_000, what: `${total} acked on /metrics` });
      const expected = {
        "#t-acked": total,
        "#t-received": sample(metrics, "event_tool_events_received_total"),
        "#t-nacked": sumOf(metrics, "event_tool_events_nacked_total"),
      };
      await waitFor(async () => {
        for (const [selector, value] of Object.entries(expected)) {
          if (await figure(page, selector) !== value) return false;
        }
        return true;
      }, {
        timeoutMs: 3000,
        what: `the page to show /metrics' figures ${JSON.stringify(expected)}`,
        progress: () => ackedSeen.size.toString(),
      });
      assert.ok(expected["#t-nacked"] > 0, "some simulated failures were nacked and retried");
      const pool = sample(metrics, "event_tool_pool_size");
      assert.match(await textOf(page, "#busy"), new RegExp(`/ ${pool?.toLocaleString("en-US")}$`));
      // A failed event appears in Recent outcomes within 2 s of its outcome, found by its ID.
      await page.click('a[data-tab="outcomes"]');
      await page.waitForSelector("#outcomes-body tr");
      const eventID = crypto.randomUUID();
      await publishRaw(config, [JSON.stringify({ eventID, eventType: "PaymentMethodCreated" })]);
      await worker.waitForLine(new RegExp(`${eventID}.*dead-lettered`));
      await page.waitForFunction(
        (id) =>
          [...document.querySelectorAll("#outcomes-body td")].some((td) => td.textContent === id),
        { timeout: 2000 },
        eventID,
      );
      await page.type("#find", eventID);
      await page.waitForFunction(() =>
        document.querySelectorAll("#outcomes-body tr[data-seq]").length === 1
      );
      await page.screenshot({ path: `${shots}/outcomes.png` });
      const row = await textOf(page, "#outcomes-body tr[data-seq]");
      assert.match(row, /dead-lettered/);
      assert.match(row, /invalid-event/);
      assert.ok(row.includes(eventID));

      // Actions: refused without the token and from another origin, done once unlocked.
      const snapshots = `${url}console/api/snapshots`;
      const post = (headers: Record<string, string>) =>
        fetch(snapshots, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ name: "not-made" }),
        });
      const anonymous = await post({});
      assert.equal(anonymous.status, 401, await anonymous.text());
      const crossOrigin = await post({
        authorization: `Bearer ${TOKEN}`,
        origin: "http://evil.example",
        "sec-fetch-site": "cross-site",
      });
      assert.equal(crossOrigin.status, 403, await crossOrigin.text());
      await page.click('a[data-tab="subscription"]');
      await page.waitForSelector(".page.subscription .panel");
      assert.equal(await page.$("#snapshot-create"), null, "no create button while locked");
      await page.click("#unlock-open");
      await page.type("#unlock-token", "not-the-token-at-all");
      await page.click("#unlock-submit");
      await page.waitForFunction(() =>
        /needs the console token/.test(document.getElementById("unlock-error")?.textContent ?? "")
      );
      assert.equal(await page.$("#snapshot-create"), null, "a wrong token unlocks nothing");
      // The refusal is the one error this page may show: the browser reports the 401 twice.
      const refusals = problems.filter((p) => /\b401\b/.test(p));
      assert.equal(refusals.length, 2, problems.join("\n"));
      problems.splice(0, problems.length, ...problems.filter((p) => !refusals.includes(p)));
      await page.$eval("#unlock-token", (input) => (input as HTMLInputElement).value = "");
      await page.type("#unlock-token", TOKEN);
      await page.click("#unlock-submit");
      await page.waitForSelector("#snapshot-create");
      const name = `console-${crypto.randomUUID().slice(0, 8)}`;
      await page.type("#snapshot-name", name);
      await page.click("#snapshot-create");
      await page.waitForFunction(
        (n) => document.getElementById("snapshot-result")?.textContent === `created ${n}`,
        {},
        name,
      );
      await page.waitForFunction(
        (n) =>
          [...document.querySelectorAll(".subscription td")].some((td) => td.textContent === n),
        {},
        name,
      );
      await page.screenshot({ path: `${shots}/subscription.png` });
      await worker.waitForLine(
        new RegExp(`Console action from 127\\.0\\.0\\.1: created snapshot ${name}`),
      );
      assert.deepEqual(problems, [], "the page showed no error");
      assert.ok(!worker.lines.some((line) => line.includes(TOKEN)), "the token is never logged");
      assert.ok(
        worker.lines.some((line) =>
          /Console refused POST \/console\/api\/snapshots.*another origin/.test(line)
        ),
        "the cross-origin refusal is logged",
      );
    } finally {
      await browser.close();
      worker.process.kill("SIGTERM");
      await worker.finished;
    }
  },
);

integrationTest(
  "worker --console without a token: read-only, no action shown, a POST refused",
  async () => {
    const { port, worker, url } = await startWorker({});
    const browser = await launchBrowser();
    try {
      const { page, problems } = await watchedPage(browser);
      await page.goto(`${url}#subscription`);
      await page.waitForSelector(".page.subscription .panel");
      assert.equal(await textOf(page, "#access"), "read-only");
      assert.equal(await page.$("#unlock-open"), null, "nothing to unlock");
      assert.equal(await page.$$eval("[data-action]", (n) => n.length), 0);
      const refused = await fetch(`http://127.0.0.1:${port}/console/api/snapshots`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ name: "not-made" }),
      });
      assert.equal(refused.status, 403);
      assert.match(
        (await refused.json()).error,
        /read-only: set --console-token\/WORKER_CONSOLE_TOKEN/,
      );
      for (const action of ["dead-letters/requeue", "pause", "resume"]) {
        const response = await fetch(`http://127.0.0.1:${port}/console/api/${action}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ all: true, expect: 1 }),
        });
        assert.equal(response.status, 403, action);
        await response.body?.cancel();
      }
      await page.click('a[data-tab="dead-letters"]');
      await page.waitForFunction(() =>
        /No dead letter/.test(document.getElementById("dl-groups")?.textContent ?? "")
      );
      assert.equal(await page.$$eval("[data-action]", (n) => n.length), 0, "no requeue shown");
      // The charting library is the worker's own copy, revalidated by its ETag.
      const uplot = await fetch(`${url}console/assets/uplot.js`);
      assert.match(
        await uplot.text(),
        /^\/\*! https:\/\/github.com\/leeoniya\/uPlot \(v1\.6\.32\)/,
      );
      const again = await fetch(`${url}console/assets/uplot.js`, {
        headers: { "if-none-match": uplot.headers.get("etag") ?? "" },
      });
      assert.equal(again.status, 304);
      await again.body?.cancel();
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      worker.process.kill("SIGTERM");
      await worker.finished;
    }
  },
);
