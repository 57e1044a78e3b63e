// What Envoy does when the filter's VM fails at run time, under each failure_policy: a test build
// of the module (build/trap-test.wasm, never deployed) traps on a request with the trigger
// header, as a bug would, in the middle of steady traffic. Every answer is what the upstreams
// really got (or that none did): FAIL_CLOSED fails everything after the trap; FAIL_OPEN passes
// requests through unrouted by the filter; FAIL_RELOAD replaces the VM and routes again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openClient, type VersionClient } from "../../harness/clients/version-client.js";
import type { WasmFailurePolicy } from "../../harness/envoy/bootstrap.js";
import { TRAP_TEST_WASM } from "../../harness/paths.js";
import { expectFailedForGood, expectReloaded, type TrapRun, trapUnderTraffic } from "../support/trap-traffic.js";
import { E2E, startVersionEnvoy } from "./with-envoy.js";

describe.runIf(E2E).each(["FAIL_CLOSED", "FAIL_OPEN", "FAIL_RELOAD"] as const)(
  "a VM that traps in the middle of traffic, failure_policy %s",
  (policy: WasmFailurePolicy) => {
    let started: Awaited<ReturnType<typeof startVersionEnvoy>> | undefined;
    let client: VersionClient | undefined;
    let run: TrapRun | undefined;

    beforeAll(async () => {
      started = await startVersionEnvoy({ versions: ["v1", "v2", "v3"], wasm: TRAP_TEST_WASM, failurePolicy: policy });
      client = openClient("grpc", started.envoy.url);
      run = await trapUnderTraffic(client, started.upstreams, `plain Envoy, ${policy}`);
      console.log(run.summary);
    }, 60_000);

    afterAll(async () => {
      await client?.close();
      await started?.stop();
    });

    it("the trapping request fails, and Envoy logs the VM's failure", () => {
      expect(run!.trapAnswer.status).toBe("UNAVAILABLE");
      expect(started!.envoy.errors().some((l) => l.includes("unreachable"))).toBe(true);
    });

    if (policy === "FAIL_CLOSED") {
      it("every request after it fails for good (UNAVAILABLE), and none reaches a version", () => expectFailedForGood(run!));
    }

    if (policy === "FAIL_OPEN") {
      it("every request after it bypasses the filter: a valid version header still routes by itself, an invalid one finds no route", () => {
        for (const s of run!.samples) {
          if (s.sent === "v2") expect(s.answer, JSON.stringify(s)).toMatchObject({ status: "OK", version: "v2", received: ["v2"] });
          else expect(s.answer.status, JSON.stringify(s)).toBe("UNIMPLEMENTED");
        }
        // Only the valid ones reached a version, unchanged: nothing decided a default.
        expect(run!.reached.length).toBe(run!.samples.filter((s) => s.sent === "v2").length);
        expect(run!.reached.every((r) => r.version === "v2" && r.received.join() === "v2")).toBe(true);
      });
    }

    if (policy === "FAIL_RELOAD") {
      it("a new VM routes again within seconds, and every request from then on is routed", () => expectReloaded(run!));
    }
  },
);
