/** deploy/kubernetes uses the names, port, probes and grace period of the settings table. */
import assert from "node:assert/strict";
import YAML from "yaml";
import { defaults } from "../../src/config/resolve.ts";
import { SETTINGS } from "../../src/config/settings.ts";

const base = new URL("../../deploy/kubernetes/base/", import.meta.url);
const read = async (name: string) =>
  YAML.parseAllDocuments(await Deno.readTextFile(new URL(name, base))).map((d) => d.toJS());
const variables = new Set(Object.values(SETTINGS).map((s) => s.env));

Deno.test("the Deployment sets known variables, probes the worker's endpoints, drains", async () => {
  const [deployment] = await read("deployment.yaml");
  const spec = deployment.spec.template.spec;
  const [container] = spec.containers;
  const env = Object.fromEntries(
    container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  const config = defaults();
  for (const [name, value] of Object.entries(env)) {
    const setting = Object.values(SETTINGS).find((s) => s.env === name);
    assert.ok(setting && variables.has(name), `${name} is not a variable event-tool reads`);
    if (name !== "PUBSUB_PROJECT_ID") assert.doesNotThrow(() => setting.parse(String(value)), name);
  }
  assert.equal(env.PUBSUB_SUBSCRIPTION, config.subscription);
  assert.equal(env.PUBSUB_TOPIC, config.topic);
  assert.equal(Number(env.METRICS_PORT), config.metricsPort);
  assert.equal(container.ports[0].containerPort, config.metricsPort);
  assert.equal(container.readinessProbe.httpGet.path, "/readyz");
  assert.equal(container.livenessProbe.httpGet.path, "/healthz");
  const shutdown = SETTINGS.shutdownTimeout.parse(env.WORKER_SHUTDOWN_TIMEOUT);
  // The worker exits within --shutdown-timeout + 2 s, even when Pub/Sub answers nothing.
  assert.ok(spec.terminationGracePeriodSeconds * 1000 >= shutdown + 2000, "grace > drain + 2 s");
  assert.ok(container.resources.requests.memory && container.resources.limits.memory);
});

Deno.test("the Deployment runs as the image's numeric user, read-only, with no capability", async () => {
  const dockerfile = await Deno.readTextFile(new URL("../../Dockerfile", import.meta.url));
  const [, uid, gid] = /^USER (\d+):(\d+)$/m.exec(dockerfile) ?? [];
  const [deployment] = await read("deployment.yaml");
  const spec = deployment.spec.template.spec;
  const [container] = spec.containers;
  assert.equal(spec.automountServiceAccountToken, false);
  assert.equal(spec.securityContext.seccompProfile.type, "RuntimeDefault");
  for (const context of [spec.securityContext, container.securityContext]) {
    assert.equal(context.runAsNonRoot, true);
    assert.equal(String(context.runAsUser), uid, "the Dockerfile's user");
    assert.equal(String(context.runAsGroup), gid, "the Dockerfile's group");
  }
  const c = container.securityContext;
  assert.equal(c.readOnlyRootFilesystem, true);
  assert.equal(c.allowPrivilegeEscalation, false);
  assert.deepEqual(c.capabilities.drop, ["ALL"]);
  const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/tmp");
  const volume = spec.volumes.find((v: { name: string }) => v.name === mount?.name);
  assert.ok(volume?.emptyDir, "a writable emptyDir at /tmp");
  const env = Object.fromEntries(
    container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  assert.equal(env[SETTINGS.metricsHost.env], "0.0.0.0", "the kubelet's probes reach the port");
});

Deno.test("KEDA scales on the subscription's backlog; the PDB keeps one worker", async () => {
  const [scaledObject] = await read("scaledobject.yaml");
  const [trigger] = scaledObject.spec.triggers;
  assert.equal(trigger.type, "gcp-pubsub");
  assert.equal(trigger.metadata.subscriptionName, defaults().subscription);
  assert.equal(scaledObject.spec.scaleTargetRef.name, "event-tool-worker");
  const [pdb] = await read("pdb.yaml");
  assert.equal(pdb.spec.minAvailable, 1);
  const [account] = await read("serviceaccount.yaml");
  assert.match(
    account.metadata.annotations["iam.gke.io/gcp-service-account"],
    /^event-tool-worker@/,
  );
});
