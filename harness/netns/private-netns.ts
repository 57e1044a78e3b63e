// A private network namespace for the Istio suites and demo: its only interface is its own
// loopback, so anything bound inside (pilot-agent's status server on all addresses, the
// gateway on port 80) is reachable from inside only. Root gets one with `unshare --net`; any
// other user with `unshare --user --map-root-user --net`, where the kernel allows user
// namespaces. The namespace has its own mounts too, with an empty tmpfs on /var/lib/istio:
// istio-agent keeps its Wasm module cache in /var/lib/istio/data, as a gateway pod's volume.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { networkInterfaces } from "node:os";

/** Set in the namespace's processes: the namespace the harness made. */
export const NETNS_ENV = "VERSION_ROUTER_PRIVATE_NETNS";

/** Whether this process runs in the harness's private namespace, with loopback its only interface. */
export function inPrivateNetns(): boolean {
  return process.env[NETNS_ENV] === "1" && Object.keys(networkInterfaces()).every((name) => name === "lo");
}

/** The unshare arguments this user can have, or why none. */
export function unshareArgs(): { args: string[] } | { why: string } {
  const root = process.getuid?.() === 0;
  const args = [...(root ? [] : ["--user", "--map-root-user"]), "--net", "--mount", "--propagation", "private"];
  const probe = spawnSync("unshare", [...args, "true"], { encoding: "utf8" });
  if (probe.error) return { why: `unshare is not available: ${probe.error.message}` };
  if (probe.status !== 0) {
    const how = root
      ? "unshare --net"
      : "user namespaces (unshare --user --map-root-user --net; sysctl kernel.unprivileged_userns_clone=1, or run as root)";
    return { why: `cannot make a private network namespace with ${how}: ${probe.stderr.trim()}` };
  }
  return { args };
}

// Inside: loopback up, and the agent's data directory on a tmpfs of the namespace's own.
const SETUP = [
  "set -e",
  "ip link set lo up",
  "if [ -d /var/lib/istio ]; then mount -t tmpfs tmpfs /var/lib/istio; else mount -t tmpfs tmpfs /var/lib; mkdir -p /var/lib/istio; fi",
  "mkdir -p /var/lib/istio/data",
  'exec "$@"',
].join("\n");

/**
 * Runs `command` in a new private namespace and resolves with its exit code; signals to this
 * process reach it. If no namespace can be made, the command runs here, without NETNS_ENV,
 * and the suites that need the namespace say why they skip (or fail, when required).
 */
export async function runInPrivateNetns(command: string[]): Promise<number> {
  const unshare = unshareArgs();
  // As root, the mount point can be made on the host (empty; the namespace mounts over it).
  if ("args" in unshare && process.getuid?.() === 0 && !existsSync("/var/lib/istio")) mkdirSync("/var/lib/istio", { recursive: true });
  const [file, args, env] =
    "args" in unshare
      ? ["unshare", [...unshare.args, "sh", "-c", SETUP, "sh", ...command], { ...process.env, [NETNS_ENV]: "1" }]
      : [command[0]!, command.slice(1), { ...process.env, [`${NETNS_ENV}_WHY`]: unshare.why }];
  if ("why" in unshare) console.warn(`no private network namespace: ${unshare.why}`);
  const child = spawn(file, args, { stdio: "inherit", env });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, forward(signal));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}
