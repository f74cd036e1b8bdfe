/**
 * Every setting that can hold a credential (marked `secret` or `credentials` in the settings
 * table) is fed, as a flag and as a variable, a value carrying a credential in every invalid form
 * we could think of; no error may show the credential. The CLI's own paths (commander's errors,
 * the final error line) are run in tests/reliability/secrets_test.ts.
 */
import assert from "node:assert/strict";
import { withoutCredentials } from "../../src/config/parse_net.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { type Setting, type SettingKey, SETTINGS } from "../../src/config/settings.ts";

const S = "s3cr3t-T0KEN";

/** Invalid values that carry `S` as a URL or an address carries a credential: in its user info
 * (`user:password@`) or its query or fragment (`?token=`). */
const URL_FORMS = [
  `https://user:${S}@host:99999/`,
  `http://user:${S}@`,
  `https://user:${S}@host/ path with spaces`,
  `ftp://user:${S}@host/`,
  `user:${S}@host:99999`,
  `user:${S}@localhost`,
  `http://u:p@ss:${S}@host:99999/`,
  `http://user:pa/${S}@host:99999/`,
  `https://host:99999/?token=${S}`,
  `https://host:99999/#${S}`,
  `localhost:8085?token=${S}`,
  ` https://user:${S}@host:99999 `,
];
/** Header-shaped values: for the `secret` settings, which errors never quote at all. (A bare
 * token given to an address setting cannot be told from a mistyped host name, which errors do
 * quote: `got "localhost", expected host:port`.) */
const SECRET_FORMS = [
  ...URL_FORMS,
  `Bearer ${S}`,
  `X Bad: ${S}`,
  `X-Key: ${S}\u0001`,
  `X-Key: ${S}€`,
  `${S}`,
];

const credentialKeys = (Object.keys(SETTINGS) as SettingKey[]).filter((key) => {
  const s = SETTINGS[key] as Setting<unknown>;
  return s.secret || s.credentials;
});

Deno.test("settings that can hold a credential are marked so in the settings table", () => {
  assert.deepEqual(credentialKeys.sort(), [
    "consoleToken",
    "emulatorHost",
    "handlerHeader",
    "handlerUrl",
    "redactKey",
  ]);
});

Deno.test("no error about a credential-bearing setting shows the credential, in any form", () => {
  let refused = 0;
  for (const key of credentialKeys) {
    const { env } = SETTINGS[key];
    const forms = (SETTINGS[key] as Setting<unknown>).secret ? SECRET_FORMS : URL_FORMS;
    for (const value of forms) {
      for (
        const sources of [{ flags: { [key]: value }, env: () => undefined }, {
          flags: {},
          env: (name: string) => name === env ? value : undefined,
        }]
      ) {
        try {
          resolveConfig([key, "handler"], sources);
        } catch (error) {
          refused++;
          const message = (error as Error).message;
          assert.ok(!message.includes(S) && !message.includes("T0KEN"), `${key}: ${message}`);
          assert.ok(!message.includes("p@ss"), `${key}: ${message}`);
        }
      }
    }
  }
  assert.ok(refused >= 2 * URL_FORMS.length, `only ${refused} values were refused`);
});

Deno.test("withoutCredentials() keeps the host and path, drops user info, query and fragment", () => {
  assert.equal(withoutCredentials(`https://user:${S}@host:99999/a`), "https://…@host:99999/a");
  assert.equal(withoutCredentials(`user:${S}@host:99999`), "…@host:99999");
  assert.equal(withoutCredentials(`https://host/?token=${S}`), "https://host/?…");
  assert.equal(withoutCredentials("localhost:8085"), "localhost:8085");
});
