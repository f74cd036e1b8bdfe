/**
 * A consumer's CPU and memory read from outside, the same way for every consumer: CPU time
 * (user + system, start-up included) from /proc/<pid>/stat and peak resident memory (VmHWM) from
 * /proc/<pid>/status, sampled while it runs and read once more just before it is stopped.
 */

/** CPU and peak memory of a process so far. */
export interface ProcUsage {
  cpuMs: number;
  peakRssBytes: number;
}

/** Clock ticks per second of /proc's CPU times (Linux: 100). */
const CLK_TCK = 100;

/**
 * `pid`'s usage so far, or undefined when it is gone. Read through `cat`: Deno grants reads of
 * another process's /proc files only with --allow-all, and the bench may start processes.
 */
export async function readProc(pid: number): Promise<ProcUsage | undefined> {
  try {
    const out = await new Deno.Command("cat", {
      args: [`/proc/${pid}/stat`, `/proc/${pid}/status`],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return undefined;
    const text = new TextDecoder().decode(out.stdout);
    const [stat, status] = [text.slice(0, text.indexOf("\n")), text];
    // Fields after the command name (which may hold spaces, inside parentheses).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return { cpuMs: (ticks * 1000) / CLK_TCK, peakRssBytes: Number(hwm?.[1] ?? 0) * 1024 };
  } catch {
    return undefined;
  }
}

/** Samples `pid` every `ms` (CPU and VmHWM only grow, so the last sample is the figure). */
export function watchProc(pid: number, ms = 500): { stop(): Promise<ProcUsage> } {
  let last: ProcUsage = { cpuMs: 0, peakRssBytes: 0 };
  const take = async () => {
    last = await readProc(pid) ?? last;
  };
  const timer = setInterval(() => void take(), ms);
  return {
    async stop() {
      clearInterval(timer);
      await take(); // the process is still running: this is the final figure
      return last;
    },
  };
}
