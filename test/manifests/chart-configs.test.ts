// Whatever the chart renders, the filter takes: values that pass the chart's own checks
// (values.schema.json, validate.yaml) never render a pluginConfig the filter would refuse. The
// admission policy guards every later write, but on a first install it is not yet in force when
// Helm creates the WasmPlugin (see docs/failure-modes.md): there, the chart's checks are all there is.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProxyWasmHost } from "../../harness/host/index.js";
import { renderChart } from "../../harness/manifests/helm.js";
import { helmSuitesEnabled } from "../support/suite-gates.js";
import { requireFilterWasm } from "../unit/load-filter.js";

const HELM = await helmSuitesEnabled();

const version = fc.constantFrom("v1", "v2", "v3", "canary", "blue");
/** Mostly good: the chart's checks refuse the rest, which is what the property is about. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: good, weight: 9 }, { arbitrary: bad, weight: 1 });
const name = mostly(fc.constantFrom("x-user", "X-User", "x-version", "uid"), fc.constantFrom("grpcsvc", "GRPCSVC", "x y", ""));
const weight = mostly(fc.integer({ min: 0, max: 3 }), fc.constantFrom(1_000_000, 1_000_001, -1));
const weights = (versions: string[]) => fc.dictionary(mostly(fc.constantFrom(...versions), version), weight, { minKeys: 1, maxKeys: 3 });
const cohort = (versions: string[]) =>
  fc.record(
    {
      match: mostly(
        fc.oneof(fc.record({ header: name, exact: fc.constant("jason") }), identity),
        fc.record({ header: name, exact: fc.constantFrom("jason", "") }, { requiredKeys: [] }),
      ),
      version: mostly(fc.constantFrom(...versions), version),
      weights: weights(versions),
    },
    { requiredKeys: ["match"] },
  );
const times = <T>(n: number, item: (i: number) => T) => Array.from({ length: n }, (_, i) => item(i));
/** An identity a version is restricted to (or a cohort matches), some of them wrong. */
const identity = mostly(
  fc.oneof(
    fc.record({ claim: fc.constantFrom("groups", "scope"), includes: fc.constantFrom("beta", "staff") }),
    fc.record({ claim: fc.constant("sub"), exact: fc.constantFrom("ann", "bob") }),
    fc.record({ san: fc.constantFrom("uri", "dns"), prefix: fc.constantFrom("spiffe://a/", "qa.") }),
  ),
  fc.constantFrom(
    { claim: "groups", prefix: "b" },
    { claim: "groups", includes: "a b" },
    { san: "email", exact: "a" },
    { claim: "groups" },
  ),
);

/** Chart values around the filter's fields, some of them wrong, some at or past a limit. */
const values = mostly(
  fc.uniqueArray(version, { minLength: 1, maxLength: 4 }),
  fc.constantFrom(32, 33).map((n) => times(n, (i) => `v${i}`)),
).chain((versions) =>
  fc.record(
    {
      // A version now and then restricted (the default too, which the chart refuses).
      versions: fc
        .tuple(
          ...versions.map(() =>
            fc.oneof(
              { arbitrary: fc.constant(undefined), weight: 6 },
              { arbitrary: fc.array(identity, { minLength: 1, maxLength: 2 }), weight: 1 },
            ),
          ),
        )
        .map((restricted) => versions.map((n, i) => ({ name: n, tag: "1", ...(restricted[i] ? { restrictedTo: restricted[i] } : {}) }))),
      defaultVersion: mostly(fc.constantFrom(...versions), version),
      header: name,
      decisionHeader: fc.oneof(fc.constant(""), name),
      stickyBy: fc.oneof(
        fc.constant({}),
        name.map((header) => ({ header })),
        name.map((cookie) => ({ cookie })),
      ),
      cohorts: mostly(
        fc.array(cohort(versions), { maxLength: 2 }),
        fc.constantFrom(16, 17).map((n) => times(n, (i) => ({ match: { header: "x-user", exact: `u${i}` }, version: versions[0] }))),
      ),
      canary: fc.oneof(
        fc.constant({}),
        weights(versions).map((w) => ({ weights: w })),
      ),
      gateway: fc.record({
        hosts: mostly(
          fc.uniqueArray(fc.constantFrom("*", "a.example.com", "A.example.com", "*.example.com"), { minLength: 1, maxLength: 3 }),
          fc.constantFrom(16, 17).map((n) => times(n, (i) => `h${i}.example.com`)),
        ),
      }),
      pathPrefixes: mostly(
        fc.uniqueArray(fc.constantFrom("/a/", "/b/", "/", `/${"p".repeat(255)}`), { maxLength: 3 }),
        fc
          .constantFrom(8, 9)
          .map((n) => times(n, (i) => `/p${i}/`))
          .chain((p) => fc.constantFrom(p, [`/${"p".repeat(256)}`])),
      ),
    },
    { requiredKeys: [] },
  ),
);

describe.runIf(HELM)("the chart's checks and the filter's", () => {
  it("every pluginConfig the chart renders from values it accepts, the filter accepts", async () => {
    let rendered = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(values, async (v) => {
        const objects = await renderChart(v).catch(() => undefined);
        if (!objects) {
          refused++;
          return;
        }
        rendered++;
        const plugin = objects.find((o) => o.kind === "WasmPlugin");
        if (!plugin) throw new Error("the chart rendered no WasmPlugin");
        const config = JSON.stringify((plugin.spec as { pluginConfig: unknown }).pluginConfig);
        const host = await ProxyWasmHost.load(requireFilterWasm());
        const accepted = host.configure(config);
        expect(accepted, `${config}: ${host.logs.map((l) => l.message).join("; ")}`).toBe(true);
      }),
      { numRuns: 150, seed: 20261202 },
    );
    console.log(`chart configurations: ${rendered} rendered and accepted by the filter, ${refused} refused by the chart`);
    // Both sides of the chart's checks were reached.
    expect(rendered).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  }, 300_000);
});
