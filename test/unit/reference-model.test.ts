// The reference model the tests predict the filter with: FNV-1a 32, checked against its published vectors.
import { describe, expect, it } from "vitest";
import { fnv1a32 } from "../../harness/reference-model.js";

describe("the reference model", () => {
  it("is FNV-1a 32 (published test vectors)", () => {
    expect(fnv1a32(new TextEncoder().encode(""))).toBe(0x811c9dc5);
    expect(fnv1a32(new TextEncoder().encode("a"))).toBe(0xe40c292c);
    expect(fnv1a32(new TextEncoder().encode("foobar"))).toBe(0xbf9cf968);
  });
});
