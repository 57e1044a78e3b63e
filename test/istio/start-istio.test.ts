// startIstio leaves nothing behind: not after stop(), not after a start that fails halfway.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startIstio } from "../../harness/istio/start-istio.js";
import { istioSuiteTools } from "../support/suite-gates.js";

const TOOLS = istioSuiteTools();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Process ids whose command line contains `text`. */
function processesMatching(text: string): number[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((line) => line.includes(text))
    .map((line) => Number.parseInt(line.trim(), 10));
}

describe.runIf(TOOLS)("startIstio", () => {
  it("stop() ends etcd, the API server, istiod and the gateway (pilot-agent and its Envoy)", async () => {
    const istio = await startIstio(TOOLS!);
    const gateway = await istio.startGateway();
    const pids = [...istio.processes().map((p) => p.pid), gateway.pid, gateway.envoyPid].filter((pid): pid is number => pid !== undefined);
    expect(istio.processes().map((p) => p.name)).toEqual(["etcd", "kube-apiserver", "istiod"]);
    expect(pids).toHaveLength(5);
    expect(pids.every(alive)).toBe(true);
    await istio.stop();
    expect(pids.filter(alive)).toEqual([]);
  });

  it("a start that fails halfway (the API server cannot run) says why and stops what it started", async () => {
    const before = processesMatching(TOOLS!.etcd);
    const failed = await startIstio({ ...TOOLS!, kubeApiserver: "/bin/false" }).then(
      async (istio) => {
        await istio.stop();
        return undefined;
      },
      (err: Error) => err,
    );
    expect(failed?.message).toMatch(/kube-apiserver ended \(exit code 1\) before kube-apiserver \/readyz/);
    expect(processesMatching(TOOLS!.etcd)).toEqual(before);
  });
});
