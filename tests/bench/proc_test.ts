import assert from "node:assert/strict";
import { readProc, watchProc } from "../../bench/measure/proc.ts";

Deno.test("readProc() reads a process's CPU and peak RSS from /proc; watchProc() keeps the last", async () => {
  const child = new Deno.Command("sh", {
    args: ["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 5"],
  })
    .spawn();
  const watch = watchProc(child.pid, 100);
  await new Promise((r) => setTimeout(r, 1500));
  const now = await readProc(child.pid);
  const usage = await watch.stop();
  child.kill("SIGKILL");
  await child.status;
  assert.ok(now && now.cpuMs > 0, `CPU ${now?.cpuMs} ms`);
  assert.ok(usage.peakRssBytes > 100_000, `VmHWM ${usage.peakRssBytes}`);
  assert.equal(await readProc(child.pid), undefined, "gone");
});
