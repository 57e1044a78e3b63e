// Envoy's CPU time, from the kernel's per-thread scheduler accounting: the first field of
// /proc/<pid>/task/<tid>/schedstat is the time the thread ran, in nanoseconds. Summed over
// all threads, so the worker, the main thread and any Wasm or stats thread all count.
import { readdir, readFile } from "node:fs/promises";

export async function cpuNanoseconds(pid: number): Promise<number> {
  const tasks = await readdir(`/proc/${pid}/task`);
  let total = 0;
  for (const tid of tasks) {
    try {
      const stat = await readFile(`/proc/${pid}/task/${tid}/schedstat`, "utf8");
      total += Number(stat.split(" ")[0]);
    } catch {
      // The thread ended between readdir and readFile; its time is gone from both readings.
    }
  }
  return total;
}
