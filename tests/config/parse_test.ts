import assert from "node:assert/strict";
import {
  boolean,
  duration,
  fraction,
  integer,
  limit,
  logLevel,
  oneOf,
  ParseError,
  positive,
  projectId,
  resourceId,
  size,
} from "../../src/config/parse.ts";
import { headers, host, hostPort, statuses } from "../../src/config/parse_net.ts";

Deno.test("integer() accepts whole numbers in range and names the range otherwise", () => {
  const parse = integer(1, 10);
  assert.equal(parse("7"), 7);
  assert.equal(parse(" 10 "), 10);
  for (const bad of ["0", "11", "-3", "1.5", "abc", "", "NaN", "1e3", "99999999999999999999"]) {
    assert.throws(
      () => parse(bad),
      (e: Error) => e instanceof ParseError && /from 1 to 10/.test(e.message),
      bad,
    );
  }
});

Deno.test("duration() reads ms, s, m, h, compounds, and a bare number as seconds", () => {
  const parse = duration(3_600_000);
  assert.equal(parse("250ms"), 250);
  assert.equal(parse("30s"), 30_000);
  assert.equal(parse("1.5s"), 1_500);
  assert.equal(parse("5m"), 300_000);
  assert.equal(parse("1h"), 3_600_000);
  assert.equal(parse("1m30s"), 90_000);
  assert.equal(parse("59m0.5s"), 3_540_500);
  assert.equal(parse("60"), 60_000, "a bare number is seconds, as gcloud reads it");
  assert.equal(parse("0.25"), 250);
  assert.equal(parse("0"), 0);
  for (const bad of ["-1s", "1d", "s", "2h", "abc", "", "1m30", "30s1", "m30s"]) {
    assert.throws(() => parse(bad), ParseError, bad);
  }
});

Deno.test("positive() takes fractions above 0", () => {
  assert.equal(positive(100)("0.5"), 0.5);
  assert.equal(positive(100)("100"), 100);
  for (const bad of ["0", "-1", "101", "", "fast"]) {
    assert.throws(() => positive(100)(bad), ParseError);
  }
});

Deno.test("logLevel() takes any case and warn for warning", () => {
  const parse = logLevel(["debug", "info", "warning"] as const);
  assert.equal(parse("DEBUG"), "debug");
  assert.equal(parse("warn"), "warning");
  assert.equal(parse("Warning"), "warning");
  assert.throws(() => parse("loud"), /one of debug, info, warning/);
});

Deno.test("fraction() accepts 0 to 1 only", () => {
  assert.equal(fraction("0.25"), 0.25);
  assert.equal(fraction("1"), 1);
  for (const bad of ["-0.1", "1.01", "NaN", "", "half", "Infinity"]) {
    assert.throws(() => fraction(bad), ParseError, bad);
  }
});

Deno.test("oneOf() lists the choices when the value is not one of them", () => {
  const parse = oneOf(["json", "pretty"] as const);
  assert.equal(parse("json"), "json");
  assert.throws(() => parse("xml"), /one of json, pretty/);
});

Deno.test("resourceId() follows Pub/Sub's naming rules", () => {
  assert.equal(resourceId("payment-method-created-topic"), "payment-method-created-topic");
  for (const bad of ["", "ab", "1topic", "goog-topic", "has space", "a".repeat(256)]) {
    assert.throws(() => resourceId(bad), ParseError, bad);
  }
});

Deno.test("projectId() follows Google Cloud's project ID rules", () => {
  assert.equal(projectId("local-project"), "local-project");
  for (const bad of ["", "short", "Upper-Case", "ends-with-", "9starts-with-digit"]) {
    assert.throws(() => projectId(bad), ParseError, bad);
  }
});

Deno.test("hostPort() wants host:port with a valid port", () => {
  assert.equal(hostPort("localhost:8085"), "localhost:8085");
  assert.equal(hostPort("127.0.0.1:1"), "127.0.0.1:1");
  for (
    const bad of [
      "localhost",
      "localhost:",
      ":8085",
      "localhost:0",
      "localhost:70000",
      "http://x:1",
    ]
  ) {
    assert.throws(() => hostPort(bad), ParseError, bad);
  }
});

Deno.test("size() reads bytes, KiB and MiB", () => {
  const parse = size(10 * 1024 * 1024);
  assert.equal(parse("65536"), 65536);
  assert.equal(parse("64KiB"), 65536);
  assert.equal(parse("1MiB"), 1048576);
  for (const bad of ["0", "-1", "64kb", "1.5MiB", "11MiB", "", "big"]) {
    assert.throws(() => parse(bad), ParseError, bad);
  }
});

Deno.test("boolean() reads true/false, 1/0 and yes/no", () => {
  assert.equal(boolean("true"), true);
  assert.equal(boolean("YES"), true);
  assert.equal(boolean("0"), false);
  assert.throws(() => boolean("maybe"), /true or false/);
});

Deno.test("limit() takes a duration of 1 ms or more, or off; refuses 0 and what rounds to it", () => {
  const read = limit(600_000);
  assert.equal(read("30s"), 30_000);
  assert.equal(read("1ms"), 1);
  assert.equal(read("off"), 0);
  assert.equal(read("OFF"), 0);
  for (const bad of ["0", "0s", "0.4ms", "11m", "soon"]) {
    assert.throws(() => read(bad), /a duration from 1ms to 600s .* or off for no limit/, bad);
  }
});

Deno.test("headers() checks names and values and never quotes a value", () => {
  assert.deepEqual(headers("Authorization: Bearer abc\nX-Trace:  1 "), [
    ["Authorization", "Bearer abc"],
    ["X-Trace", "1"],
  ]);
  for (
    const raw of [
      "Bearer s3cret",
      "X Bad: s3cret",
      ": s3cret",
      "A: ok\nX-K: s3\u0000cret",
      "A: s3€",
    ]
  ) {
    const error = (() => {
      try {
        headers(raw);
      } catch (e) {
        return e as Error;
      }
    })();
    assert.ok(error instanceof ParseError, raw);
    assert.doesNotMatch(error.message, /s3/, "the value is not in the message");
  }
});

Deno.test("host() takes names and IPv4/IPv6 addresses to listen on", () => {
  for (const ok of ["127.0.0.1", "0.0.0.0", "::", "::1", "localhost"]) assert.equal(host(ok), ok);
  for (const bad of ["", "a b", "http://x"]) assert.throws(() => host(bad), ParseError, bad);
});

Deno.test("statuses() takes a comma-separated list of 4xx statuses", () => {
  assert.deepEqual(statuses(""), []);
  assert.deepEqual(statuses("405, 409,405"), [405, 409]);
  for (const bad of ["500", "40", "abc", "405;409"]) {
    assert.throws(() => statuses(bad), /a comma-separated list of 4xx HTTP statuses/, bad);
  }
});
