// The filter's counters on a gateway whose bootstrap Istio's own code rendered (the gateway
// pod's only setting: the sidecar.istio.io/extraStatTags annotation, as the README says):
// Istio's /stats/prometheus listener shows version_router_requests_total with service, version
// and reason labels, and the counts are the requests sent.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { openClient } from "../../harness/clients/version-client.js";
import { startPrometheus } from "../../harness/monitoring/prometheus.js";
import { istioSuiteTools, prometheusSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();

// The filter hands its counts to Envoy on a 1 s tick.
const FLUSH_MS = 1_500;
const SERIES = /^version_router_requests_total\{([^}]*)\} (\d+)$/;
/** The label text of one of the release's series, as Envoy prints it. */
const series = (version: string, reason: string) => `service="shop/grpcsvc",version="${version}",reason="${reason}"`;

/** version_router_requests_total by its label text, from a Prometheus text exposition. */
async function decisionCounters(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const counters = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = SERIES.exec(line);
    if (m) counters.set(m[1] as string, Number(m[2]));
  }
  return counters;
}

const PROMETHEUS = TOOLS ? prometheusSuiteTools() : undefined;

describe.runIf(TOOLS && PROMETHEUS)("the decision counters on a gateway with Istio's bootstrap", () => {
  const { istio, gateway } = withIstio();
  const chart = withChartRelease(istio, { namespace: "shop", versions: ["v1", "v2", "v3"] });

  it("the gateway's bootstrap is Istio's, with the tags the annotation asks for", async () => {
    const dump = await gateway().configDump();
    const { bootstrap } = dump.configs.find((c) => c["@type"].endsWith("BootstrapConfigDump")) as unknown as {
      bootstrap: {
        node: { metadata: { ANNOTATIONS: Record<string, string> } };
        stats_config: {
          stats_tags: Array<{ tag_name: string; regex: string }>;
          stats_matcher: { inclusion_list: { patterns: unknown[] } };
        };
      };
    };
    expect(bootstrap.node.metadata.ANNOTATIONS["sidecar.istio.io/extraStatTags"]).toBe("service,version,reason");
    const tags = bootstrap.stats_config.stats_tags;
    for (const tag of ["service", "version", "reason"]) {
      expect(tags.find((t) => t.tag_name === tag)?.regex).toBe(`(${tag}=\\.=(.*?);\\.;)`);
    }
    // Istio's own tags are there too: this is its template, not the harness's.
    expect(tags.map((t) => t.tag_name)).toEqual(expect.arrayContaining(["cluster_name", "response_code", "wasm_filter"]));
    expect(bootstrap.stats_config.stats_matcher.inclusion_list.patterns).toContainEqual({ prefix: "wasm" });
  });

  it("Istio's metrics listener shows version_router_requests_total{service,version,reason} with the requests sent", async () => {
    await chart.deploy(chartValues({ canary: { weights: { v1: 50, v3: 50 } } }));
    await gateway().waitForListener(80);
    const client = openClient("grpc", GATEWAY_URL);
    const sent = { explicit: 7, invalid: 5, canary: 40 };
    try {
      await vi.waitFor(async () => expect((await client.send(["v2"])).version).toBe("v2"), { timeout: 30_000, interval: 200 });
      await sleep(FLUSH_MS); // the warm-up's counts reach Envoy
      const before = await decisionCounters(gateway().prometheusUrl);
      for (let i = 0; i < sent.explicit; i++) expect((await client.send(["v2"])).version).toBe("v2");
      for (let i = 0; i < sent.invalid; i++) expect((await client.send(["v9"])).version).toBe("v1");
      const canaryServed = { v1: 0, v3: 0 } as Record<string, number>;
      for (let i = 0; i < sent.canary; i++) {
        const { version } = await client.send([]);
        canaryServed[version ?? ""] = (canaryServed[version ?? ""] ?? 0) + 1;
      }
      const delta = (labels: string, after: Map<string, number>) => (after.get(labels) ?? 0) - (before.get(labels) ?? 0);
      await vi.waitFor(
        async () => {
          const after = await decisionCounters(gateway().prometheusUrl);
          expect(delta(series("v2", "explicit"), after)).toBe(sent.explicit);
          expect(delta(series("v1", "invalid"), after)).toBe(sent.invalid);
          expect(delta(series("v1", "canary"), after)).toBe(canaryServed.v1);
          expect(delta(series("v3", "canary"), after)).toBe(canaryServed.v3);
        },
        { timeout: FLUSH_MS * 4, interval: 250 },
      );
      // One series per version and reason this configuration can reach (every version by name,
      // the default when the name is wrong or missing, the weighted ones by canary), with exactly
      // those three labels.
      const after = await decisionCounters(gateway().prometheusUrl);
      expect([...after.keys()].sort()).toEqual(
        [
          ...["v1", "v2", "v3"].map((v) => series(v, "explicit")),
          series("v1", "invalid"),
          series("v1", "default"),
          series("v1", "canary"),
          series("v3", "canary"),
        ].sort(),
      );
      // And a real Prometheus scraping that listener stores them so.
      const prometheus = await startPrometheus({
        binary: PROMETHEUS!.prometheus,
        targets: [{ job: "gateway", url: gateway().prometheusUrl }],
      });
      try {
        await vi.waitFor(
          async () => {
            const [stored] = await prometheus.query('version_router_requests_total{service="shop/grpcsvc",version="v2",reason="explicit"}');
            expect(stored?.labels).toEqual({
              __name__: "version_router_requests_total",
              service: "shop/grpcsvc",
              version: "v2",
              reason: "explicit",
              job: "gateway",
              instance: new URL(gateway().prometheusUrl).host,
            });
            expect(stored?.value).toBe(after.get(series("v2", "explicit")));
          },
          { timeout: 15_000, interval: 250 },
        );
      } finally {
        await prometheus.stop();
      }
    } finally {
      await client.close();
    }
  });
});
