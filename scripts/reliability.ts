/**
 * `deno task reliability`: runs the reliability suite (tests/reliability/) on the real emulator
 * and writes docs/RELIABILITY.md from the figures the cases record. Nothing in that file is
 * typed by hand; it is not written when a case fails or loses an event.
 */

/** The figures one reliability case records (one JSON line each in RELIABILITY_RESULTS). */
export interface CaseResult {
  case: string;
  injected: string;
  eventsIn: number;
  processed: number;
  duplicates: number;
  deadLettered: number;
  lost: number;
  seconds: number;
  notes?: string;
  /** Where it ran: the real emulator (default), or the fake server of tests/fake_pubsub/, as
   * strict as the service where the emulator is lenient (deadlines, exactly-once, faults). */
  server?: "emulator" | "fake";
}

/** The variable naming the file the cases append their figures to. */
export const RESULTS_VARIABLE = "RELIABILITY_RESULTS";

/** The variable telling cases that compare two runs how many rounds to take the median of. */
export const ROUNDS_VARIABLE = "RELIABILITY_ROUNDS";

/**
 * What `deno test` grants the tests, here and in `deno task test` (tests/support/suite.ts):
 * reach the emulator and local servers, spawn the CLI, use temp files.
 */
export const TEST_PERMISSIONS = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-sys",
  "--allow-run",
] as const;

/** Rounds of the compared cases in the report (CI runs one: the test suite sets nothing). */
const REPORT_ROUNDS = 5;

const root = new URL("../", import.meta.url);

async function main(): Promise<void> {
  const started = new Date();
  const { success, results } = await runCases();
  if (!success) {
    console.error("reliability: a case failed; docs/RELIABILITY.md was not written");
    Deno.exit(1);
  }
  if (results.some((r) => r.lost !== 0)) {
    console.error("reliability: an event was lost; docs/RELIABILITY.md was not written");
    Deno.exit(1);
  }
  const sdkRoot = await text("gcloud", ["info", "--format=value(installation.sdk_root)"]);
  const emulatorJar =
    (await text("ls", [`${sdkRoot}/platform/pubsub-emulator/lib`])).split("\n")[0] ?? "unknown";
  await Deno.mkdir(new URL("docs/", root), { recursive: true });
  await Deno.writeTextFile(
    new URL("docs/RELIABILITY.md", root),
    renderReport(results, started, emulatorJar),
  );
  console.log(`reliability: wrote docs/RELIABILITY.md (${results.length} cases, lost 0 in each)`);
}

/** A command's trimmed output, or `unknown` when it cannot run. */
async function text(command: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "null" })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "unknown";
  }
}

/** Runs tests/reliability/ and reads the figures its cases recorded, sorted by case. */
async function runCases(): Promise<{ success: boolean; results: CaseResult[] }> {
  const resultsFile = await Deno.makeTempFile({ suffix: ".ndjson" });
  const test = await new Deno.Command(Deno.execPath(), {
    args: ["test", ...TEST_PERMISSIONS, "tests/reliability/"],
    cwd: root,
    env: { [RESULTS_VARIABLE]: resultsFile, [ROUNDS_VARIABLE]: String(REPORT_ROUNDS) },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  const results: CaseResult[] = (await Deno.readTextFile(resultsFile)).split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line))
    .sort((a: CaseResult, b: CaseResult) => a.case.localeCompare(b.case, "en", { numeric: true }));
  await Deno.remove(resultsFile);
  return { success: test.success, results };
}

/** docs/RELIABILITY.md from the cases' `results` of a run that began at `started`. */
function renderReport(results: CaseResult[], started: Date, emulatorJar: string): string {
  const where = (r: CaseResult) => r.server === "fake" ? " (on the fake server)" : "";
  const row = (r: CaseResult) =>
    `| ${r.case}${where(r)} | ${r.injected} | ${r.eventsIn} | ${r.processed} | ${r.duplicates} | ` +
    `${r.deadLettered} | **${r.lost}** | ${r.seconds.toFixed(1)} |`;
  return `# Reliability report

Written by \`deno task reliability\` on ${started.toISOString()} from the figures the cases in
\`tests/reliability/\` recorded in that run; nothing here is typed by hand. The same cases run in
CI through \`deno task test\`.

- Machine: ${Deno.build.target}, ${navigator.hardwareConcurrency} cores
- Deno ${Deno.version.deno}; Pub/Sub emulator \`${emulatorJar}\` (real emulator, never mocked);
  cases marked *on the fake server* run on \`tests/fake_pubsub/\`, a gRPC server as strict as the
  service where the emulator is lenient (per-delivery ack deadlines, exactly-once ack failures,
  server-side flow control, request limits, stream ends and outages on demand); they count what
  the server recorded, not only what the worker logged
- Every event carries a known eventID; the worker logs one JSON line per outcome and the cases
  count those lines. *Processed* = distinct events whose handler succeeded and that were acked;
  *duplicates* = extra successful handlings of an event already processed (at-least-once);
  *lost* = events published and never processed or dead-lettered.

| Case | Injected | Events in | Processed | Duplicates | Dead-lettered | Lost | Time (s) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${results.map(row).join("\n")}

## Notes per case

${results.map((r) => `- **${r.case}**${where(r)}: ${r.notes ?? "—"}`).join("\n")}

## What the emulator does differently from Pub/Sub

- A message sent on a streaming pull whose client dies (SIGKILL) is never redelivered by the
  emulator: its stream-reset handler fails (\`NoSuchMethodError\` in its log) and the message
  stays leased to the dead stream. Pub/Sub redelivers it when its ack deadline passes. The crash
  and graceful-stop cases therefore run \`event-tool replay --to <start of the run>\` when a
  restarted worker runs out of work, as an operator would (README, Reliability). Setup keeps acked
  events for the replay window, so a replay brings those back too; they are counted as
  duplicates, never as lost.
- The emulator redelivers a first nack at once and applies the retry policy's backoff from the
  second redelivery on; Pub/Sub applies it to every redelivery.
`;
}

if (import.meta.main) await main();
