/**
 * Tests on the fake Pub/Sub server (tests/fake_pubsub/): a server per test, a configuration whose
 * names are unique and whose emulator host is the fake (the tool reaches it as it reaches the
 * emulator), and the topology made with the tool's own `setup` code.
 */
import type { Config } from "../../src/config/settings.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { ensureTopology } from "../../src/pubsub/topology.ts";
import { uniqueConfig } from "./pubsub.ts";
import { FakePubSub, type FakeServerOptions } from "../fake_pubsub/server.ts";

export { FakePubSub };

/**
 * Registers a test that runs on a fresh fake server, closed afterwards. The client libraries keep
 * timers and sockets a little past `close()`, so the op and resource sanitizers are off.
 */
export function fakeTest(
  name: string,
  fn: (fake: FakePubSub) => Promise<void>,
  options: FakeServerOptions = {},
): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const fake = await FakePubSub.start(options);
      try {
        await fn(fake);
      } finally {
        await fake.close();
      }
    },
  });
}

/** A config with names unique to this test, pointing at `fake`. */
export function fakeConfig(fake: FakePubSub, overrides: Partial<Config> = {}): Config {
  return uniqueConfig(fake.host, overrides);
}

/** Creates `config`'s topology on its fake with the tool's setup code. */
export async function fakeTopology(config: Config): Promise<void> {
  const client = createClient(config);
  try {
    await ensureTopology(client, config);
  } finally {
    await client.close();
  }
}
