/**
 * The library as another project uses it: `deno publish --dry-run` finds nothing to fix, every
 * export the docs name exists (and docs/handlers.md lists them all), and the ten-line worker of
 * mod.ts type-checks and runs from a project outside this repository.
 */
import assert from "node:assert/strict";
import { createTopology, publishEvents, pull, testConfig } from "./support/pubsub.ts";
import { integrationTest } from "./support/emulator.ts";
import { waitFor } from "./support/wait.ts";

const root = new URL("../", import.meta.url);
const rootPath = root.pathname.replace(/\/$/, "");
const decoder = new TextDecoder();

/** Runs `deno args…` in `cwd` to completion. */
async function deno(args: string[], cwd: string, env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Every name mod.ts exports, types included. */
async function exported(): Promise<Set<string>> {
  const { code, stdout, stderr } = await deno(["doc", "--json", "mod.ts"], rootPath);
  assert.equal(code, 0, stderr);
  const doc = JSON.parse(stdout) as {
    nodes: Record<string, { symbols: { name: string }[] }>;
  };
  const mod = doc.nodes[new URL("mod.ts", root).href];
  assert.ok(mod, "deno doc describes mod.ts");
  return new Set(mod.symbols.map((s) => s.name));
}

/** The specifiers by which docs import the package. */
const PACKAGE = /^(@event-tool\/event-tool|event-tool|(\.\.?\/)+mod\.ts)$/;

Deno.test("deno publish --dry-run finds no problem: no slow type, no unresolvable import", async () => {
  const { code, stdout, stderr } = await deno(["publish", "--dry-run", "--allow-dirty"], rootPath);
  const output = stdout + stderr;
  assert.equal(code, 0, output);
  assert.doesNotMatch(
    output,
    /^(warning|error)\b/im,
    "a diagnostic (deno publish prints them first)",
  );
  assert.match(output, /Simulating publish of @event-tool\/event-tool@/);
});

Deno.test("every export that README.md and docs/ name exists, and docs/handlers.md lists them all", async () => {
  const names = await exported();
  const files = ["README.md"];
  for await (const entry of Deno.readDir(new URL("docs/", root))) {
    if (entry.name.endsWith(".md")) files.push(`docs/${entry.name}`);
  }
  const missing: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, root));
    for (const [, list, from] of text.matchAll(/import (?:type )?\{([^}]*)\} from "([^"]+)"/g)) {
      if (!PACKAGE.test(from!)) continue;
      for (const item of list!.split(",")) {
        const name = item.trim().replace(/^type /, "").split(/\s+as\s+/)[0]!;
        if (name && !names.has(name)) missing.push(`${file} imports ${name}`);
      }
    }
  }
  const handlers = await Deno.readTextFile(new URL("docs/handlers.md", root));
  const section = handlers.slice(handlers.indexOf("## As a library"));
  const listed = new Set<string>();
  for (const [row] of section.matchAll(/^\|[^|\n]+\|[^|\n]+\|$/gm)) {
    const cells = row.split("|");
    for (const [, name] of cells[2]!.matchAll(/`([A-Za-z_]\w*)`/g)) listed.add(name!);
  }
  for (const name of listed) if (!names.has(name)) missing.push(`docs/handlers.md lists ${name}`);
  assert.deepEqual(missing, [], "named in docs but not exported by mod.ts");
  assert.deepEqual([...names].filter((n) => !listed.has(n)), [], "exported but not in the table");
});

Deno.test("a first run in a fresh clone installs the npm packages without a warning", async () => {
  // What a clone's first `deno task …` does: install into node_modules from deno.lock.
  const clone = await Deno.makeTempDir({ prefix: "event-tool-clone-" });
  try {
    for (const file of ["deno.json", "deno.lock"]) {
      await Deno.copyFile(new URL(file, root), `${clone}/${file}`);
    }
    const { code, stdout, stderr } = await deno(["install", "--frozen"], clone);
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stdout + stderr, /warning|ignored build scripts/i);
  } finally {
    await Deno.remove(clone, { recursive: true });
  }
});

/** The first TypeScript example of mod.ts's module comment. */
async function modExample(): Promise<string> {
  const text = await Deno.readTextFile(new URL("mod.ts", root));
  const block = text.match(/```ts\n([\s\S]*?)```/)?.[1];
  assert.ok(block, "mod.ts has an example");
  return block.split("\n").map((line) => line.replace(/^ \* ?/, "")).join("\n");
}

integrationTest(
  "mod.ts's ten-line worker type-checks and runs from a project outside the repository",
  async () => {
    const example = await modExample();
    assert.ok(example.trim().split("\n").length <= 10, `ten lines:\n${example}`);
    const { version } = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
    const project = await Deno.makeTempDir({ prefix: "event-tool-user-" });
    assert.ok(!project.startsWith(rootPath), "outside the repository");
    try {
      // What README.md tells another project to write, with this repository as the local copy.
      await Deno.writeTextFile(
        `${project}/deno.json`,
        JSON.stringify({
          imports: { "@event-tool/event-tool": `jsr:@event-tool/event-tool@^${version}` },
          links: [rootPath],
          allowScripts: { deny: ["npm:protobufjs"] },
        }),
      );
      await Deno.writeTextFile(`${project}/main.ts`, example);
      const checked = await deno(["check", "main.ts"], project);
      assert.equal(checked.code, 0, checked.stderr);
      assert.doesNotMatch(checked.stderr, /warning/i, "no warning on the way");

      // A project of its own on the test emulator, so the example's default names are free.
      const config = await testConfig({
        project: `user-${crypto.randomUUID().slice(0, 8)}`,
        topic: "payment-method-created-topic",
        subscription: "payment-method-created-subscription",
        deadLetterTopic: "payment-method-created-dead-letter-topic",
        deadLetterSubscription: "payment-method-created-dead-letter-subscription",
      });
      await createTopology(config);
      const payloads = await publishEvents(config, 20);
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", "main.ts"],
        cwd: project,
        env: {
          NO_COLOR: "1",
          PUBSUB_EMULATOR_HOST: config.emulatorHost!,
          PUBSUB_PROJECT_ID: config.project!,
        },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let out = "";
      const reading = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
        new WritableStream({ write: (chunk) => void (out += chunk) }),
      );
      const errors = new Response(child.stderr).text();
      const handled = () => new Set(out.split("\n").map((line) => line.split(" ")[0]));
      try {
        await waitFor(() => payloads.every((p) => handled().has(p.eventID)), {
          timeoutMs: 30_000,
          what: "the example to print each of the 20 events",
          progress: () => `printed ${out.split("\n").length - 1} lines`,
        });
      } finally {
        child.kill("SIGTERM");
      }
      const status = await child.status;
      await reading;
      assert.equal(status.code, 0, await errors);
      assert.equal(out.trim().split("\n").length, 20, `each event once:\n${out}`);
      assert.deepEqual(await pull(config, config.subscription), [], "every event acked");
    } finally {
      await Deno.remove(project, { recursive: true });
    }
  },
);
