// Generated header values, arbitrary bytes and lengths up to 64 KiB included: the filter
// never traps, always leaves exactly one listed version, and never changes a valid one.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HeaderInput } from "../../harness/host/index.js";
import { loadFilter } from "./load-filter.js";

const VERSIONS = ["v1", "v2", "v3", "canary-2024.1"];
const encoder = new TextEncoder();
const RUNS = 100_000;

const versionName = fc.constantFrom(...VERSIONS).map((v) => encoder.encode(v));
const headerValue: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 30, arbitrary: versionName },
  // Near misses: a listed version with one byte changed, added or cut.
  { weight: 20, arbitrary: fc.tuple(versionName, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([v, at, byte]) => {
    const out = Uint8Array.from(v);
    out[at % out.length] = byte;
    return out;
  }) },
  { weight: 5, arbitrary: versionName.map((v) => v.subarray(0, v.length - 1)) },
  { weight: 5, arbitrary: versionName.map((v) => Uint8Array.from([...v, 0x20])) },
  { weight: 30, arbitrary: fc.uint8Array({ maxLength: 32 }) },
  { weight: 9, arbitrary: fc.string({ unit: "grapheme", maxLength: 16 }).map((s) => encoder.encode(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1024, maxLength: 64 * 1024, size: "max" }) },
);

// Whole requests: a valid version (alone or repeated) often enough to test the keep path,
// and anything at all otherwise.
const versionHeaders: fc.Arbitrary<Uint8Array[]> = fc.oneof(
  { weight: 3, arbitrary: versionName.map((v) => [v]) },
  { weight: 1, arbitrary: fc.tuple(versionName, fc.integer({ min: 2, max: 3 })).map(([v, n]) => Array<Uint8Array>(n).fill(v)) },
  { weight: 6, arbitrary: fc.array(headerValue, { maxLength: 3 }) },
);

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

describe("property: any version header", () => {
  it(`${RUNS} generated requests: no trap, one listed version out, valid ones untouched`, async () => {
    const host = await loadFilter({ versions: VERSIONS, default: "v2" });
    const listed = VERSIONS.map((v) => encoder.encode(v));
    let explicit = 0;
    fc.assert(
      fc.property(versionHeaders, fc.boolean(), (values, grpc) => {
        const headers: HeaderInput[] = [[":path", "/"], ["content-type", grpc ? "application/grpc" : "text/plain"]];
        for (const value of values) headers.push(["grpcsvc", value]);
        const out = host.request(headers).headers.values("grpcsvc");
        expect(out).toHaveLength(1);
        expect(listed.some((v) => sameBytes(v, out[0]!))).toBe(true);
        const first = values[0];
        if (first && listed.some((v) => sameBytes(v, first)) && values.every((v) => sameBytes(v, first))) {
          explicit++;
          expect(sameBytes(out[0]!, first)).toBe(true);
        } else {
          expect(new TextDecoder().decode(out[0])).toBe("v2");
        }
      }),
      { numRuns: RUNS },
    );
    // The generator reaches both branches often enough to mean something.
    expect(explicit).toBeGreaterThan(RUNS / 5);
    expect(explicit).toBeLessThan(RUNS * 0.8);
  }, 300_000);
});
