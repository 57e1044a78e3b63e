// Everything the harness starts that outlives a function call (child processes, containers)
// registers here, and nowhere else: when the test worker or script exits, or is told to end
// (SIGTERM, SIGINT), whatever is still registered is killed. The handlers are installed with the
// first registration, not on import.

/** What ends a thing at once; it runs inside an exit handler, so it must be synchronous. */
export type Kill = () => void;

const owned = new Set<Kill>();
let installed = false;

function killAll(): void {
  for (const kill of [...owned]) {
    try {
      kill();
    } catch {
      // Already gone.
    }
  }
  owned.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", killAll);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      killAll();
      // Ends the way the signal would have without this handler.
      process.kill(process.pid, signal);
    });
  }
}

/** Registers `kill` until the returned function is called (the thing stopped on its own). */
export function registerForExit(kill: Kill): () => void {
  install();
  owned.add(kill);
  return () => {
    owned.delete(kill);
  };
}
