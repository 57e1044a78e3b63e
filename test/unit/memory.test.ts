// The module's linear memory stays flat under steady traffic: nothing leaks per request.
import { describe, expect, it } from "vitest";
import type { HeaderInput } from "../../harness/host/index.js";
import { loadFilter } from "./load-filter.js";

const MIX: HeaderInput[][] = (
  [
    [["grpcsvc", "v2"]],
    [],
    [["grpcsvc", "nope"]],
    [
      ["grpcsvc", "v3"],
      ["grpcsvc", "v3"],
    ],
    [
      ["grpcsvc", "v1"],
      ["grpcsvc", "v2"],
    ],
    [["grpcsvc", "x".repeat(16 * 1024)]],
    [["grpcsvc", new Uint8Array([0xff, 0x00, 0x80])]],
  ] as HeaderInput[][]
).map((h) => [[":path", "/"], ["content-type", "application/grpc"], ...h]);

describe("memory", () => {
  it.each(["info", "debug"] as const)(
    "100,000 requests after warm-up leave memory unchanged (log level %s)",
    async (level) => {
      const host = await loadFilter({ versions: ["v1", "v2", "v3"] }, level);
      const run = (n: number) => {
        for (let i = 0; i < n; i++) {
          host.request(MIX[i % MIX.length]!);
          if (host.logs.length > 1000) host.logs.length = 0;
        }
      };
      run(10_000);
      const warm = host.memoryBytes();
      run(100_000);
      expect(host.memoryBytes()).toBe(warm);
    },
    300_000,
  );
});
