/**
 * Micro-benchmarks of the pool: the per-task overhead of `Pool.run` against bare promises.
 * Run: `deno task microbench`.
 */
import { Pool } from "../src/worker/pool.ts";

const TASKS = 1000;
const task = () => Promise.resolve(1);

Deno.bench({ name: "bare promises, 1000 tasks", group: "pool", baseline: true }, async () => {
  await Promise.all(Array.from({ length: TASKS }, task));
});

Deno.bench({ name: "Pool(1000).run, 1000 tasks (never waits)", group: "pool" }, async () => {
  const pool = new Pool(1000);
  await Promise.all(Array.from({ length: TASKS }, () => pool.run(task)));
});

Deno.bench(
  { name: "Pool(10).run, 1000 tasks (990 wait for a permit)", group: "pool" },
  async () => {
    const pool = new Pool(10);
    await Promise.all(Array.from({ length: TASKS }, () => pool.run(task)));
  },
);
