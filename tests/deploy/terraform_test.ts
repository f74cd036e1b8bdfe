/** terraform/environments/gcp/worker.tf runs the worker with variables of the settings table. */
import assert from "node:assert/strict";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { SETTINGS } from "../../src/config/settings.ts";

Deno.test("the Cloud Run worker pool sets only variables event-tool reads", async () => {
  const path = new URL("../../terraform/environments/gcp/worker.tf", import.meta.url);
  const hcl = await parseHcl("worker.tf", await Deno.readTextFile(path));
  const pool = hcl.resource.google_cloud_run_v2_worker_pool.worker[0];
  const [container] = pool.template[0].containers;
  const names = container.env.map((e: { name: string }) => e.name);
  const known = new Set(Object.values(SETTINGS).map((s) => s.env));
  for (const name of names) {
    assert.ok(known.has(name), `${name} is not a variable event-tool reads`);
  }
  assert.ok(names.includes("PUBSUB_SUBSCRIPTION") && names.includes("WORKER_POOL_SIZE"));
  assert.deepEqual(container.args, ["worker"]);
  assert.equal(pool.template[0].service_account, "${google_service_account.worker.email}");
  assert.ok(hcl.variable.worker_replicas, "the replica count is a variable");
  assert.ok(hcl.output.push_image, "an output says how to push the image");
});
