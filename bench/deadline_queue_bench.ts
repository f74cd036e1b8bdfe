/**
 * Micro-benchmarks of the deadline queue's slack (src/worker/deadline_queue.ts): how long a
 * 20 ms deadline really takes to expire with no slack and with 1 ms of it. Deno's timers count
 * whole milliseconds and often fire just before the deadline; without slack the queue then waits
 * again and expires late. Each iteration is one deadline, so the mean time per iteration is
 * when it expired. Run: `deno task microbench`.
 */
import { DeadlineQueue } from "../src/worker/deadline_queue.ts";

const MS = 20;

for (const slackMs of [0, 1]) {
  const queue = new DeadlineQueue({ slackMs });
  Deno.bench({
    name: `a ${MS} ms deadline, ${slackMs} ms of slack`,
    group: "deadline",
    baseline: slackMs === 0,
    async fn() {
      const expired = Promise.withResolvers<void>();
      queue.add(performance.now() + MS, () => expired.resolve());
      await expired.promise;
    },
  });
}
