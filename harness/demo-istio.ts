// make demo-istio: the main job on Istio without a cluster, in a private network namespace
// (the Makefile enters it). A local Kubernetes API and istiod; the filter's image in a local
// registry; the chart installed with helm into namespace "shop" (through istiod's webhook);
// the ingress gateway as Istio runs it, pilot-agent and its Envoy, configured only by istiod,
// the agent pulling the module. Prints what istiod accepted
// and pushed, then fires the demo's requests through the gateway: gRPC against the chart's
// gRPC service, then HTTP/1.1 and HTTP/2 after `helm upgrade --set service.protocol=http`.
import { openClient, type Protocol } from "./clients/version-client.js";
import { DEMO_HEADINGS, DEMO_REQUESTS, DEMO_VERSIONS, decisionLogged, demoRow, table } from "./demo/demo-requests.js";
import { envoyVersion } from "./envoy/admin.js";
import { installChart } from "./istio/chart-release.js";
import type { IngressGateway } from "./istio/ingress-gateway.js";
import { istioTools } from "./istio/istio-tools.js";
import type { KubeObject } from "./istio/kube-client.js";
import { moduleUrl, pushModule, startModuleRegistry } from "./istio/module-registry.js";
import { startIstio } from "./istio/start-istio.js";
import { FILTER_WASM } from "./paths.js";

const NAMESPACE = "shop";
const GATEWAY_URL = "http://127.0.0.1:80";
// The chart's defaults, plus the filter's image in the local registry.

const tools = istioTools();
if ("missing" in tools) {
  console.error(`Istio tools missing (${tools.missing.join(", ")}): run 'make istio-tools'`);
  process.exit(2);
}

interface RouteDump {
  dynamic_route_configs?: Array<{
    route_config: {
      name: string;
      virtual_hosts?: Array<{
        name: string;
        routes: Array<{
          name?: string;
          match: { headers?: Array<{ name: string; string_match?: { exact?: string } }> };
          route?: { cluster?: string };
        }>;
      }>;
    };
  }>;
}

interface ListenerDump {
  dynamic_listeners?: Array<{
    name: string;
    active_state?: { listener: { address: { socket_address: { address: string; port_value: number } } } };
  }>;
}

async function printPushed(gateway: IngressGateway): Promise<void> {
  const dump = await gateway.configDump();
  const of = <T>(type: string) => dump.configs.find((c) => c["@type"].endsWith(`.${type}`)) as T | undefined;
  console.log("istiod pushed to the gateway:");
  for (const l of of<ListenerDump>("ListenersConfigDump")?.dynamic_listeners ?? []) {
    const a = l.active_state?.listener.address.socket_address;
    console.log(`  listener ${l.name} (${a?.address}:${a?.port_value})`);
  }
  for (const { route_config: rc } of of<RouteDump>("RoutesConfigDump")?.dynamic_route_configs ?? []) {
    for (const vh of rc.virtual_hosts ?? []) {
      for (const r of vh.routes) {
        const h = r.match.headers?.[0];
        const match = h ? `${h.name} == ${JSON.stringify(h.string_match?.exact)}` : "(any)";
        console.log(`  route ${rc.name} ${vh.name} ${r.name ?? ""}: ${match} -> ${r.route?.cluster ?? "?"}`);
      }
    }
  }
  for (const f of await gateway.ecdsFilters()) {
    console.log(
      `  Wasm filter over ECDS ${f.name}\n    module ${f.wasmFile}, failure policy ${f.failurePolicy}\n    configuration ${f.configuration}`,
    );
  }
}

async function fire(gateway: IngressGateway, protocols: readonly Protocol[], rows: string[][]): Promise<boolean> {
  let ok = true;
  for (const protocol of protocols) {
    const client = openClient(protocol, GATEWAY_URL);
    try {
      for (const { label, sent } of DEMO_REQUESTS) {
        const seen = gateway.logs().length;
        const answer = await client.send(sent);
        if (!answer.version) ok = false;
        rows.push(demoRow(protocol, label, sent, answer, await decisionLogged(gateway.logs, seen)));
      }
    } finally {
      await client.close();
    }
  }
  return ok;
}

/** Retries a probe until the gateway routes it, i.e. istiod's push has arrived. */
async function untilRouted(protocol: Protocol): Promise<void> {
  const deadline = Date.now() + 30_000;
  const client = openClient(protocol, GATEWAY_URL);
  try {
    while (Date.now() < deadline) {
      if ((await client.send(["v2"]).catch(() => undefined))?.version === "v2") return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the gateway did not route ${protocol} within 30 s`);
  } finally {
    await client.close();
  }
}

const registry = await startModuleRegistry(tools.registry);
const digest = await pushModule(registry, "version-router", "demo", FILTER_WASM);
console.log(`build/filter.wasm pushed to the registry at ${registry.host} as version-router:demo, digest sha256:${digest}`);
// As production should: the image by its tag, pinned by its digest (istio-agent checks it).
const VALUES = { wasm: { url: moduleUrl("version-router", "demo"), sha256: digest } };
const istio = await startIstio(tools);
let failed = false;
try {
  console.log(
    `Kubernetes API (kube-apiserver ${(await istio.kube.call<{ gitVersion: string }>("GET", "/version")).gitVersion}), istiod ${tools.release}`,
  );
  const workloads = await istio.startWorkloads({ namespace: NAMESPACE, app: "grpcsvc", versions: DEMO_VERSIONS });
  console.log(
    `workloads: ${[...workloads.upstreams.byVersion.values()].map((u) => `${u.version} at ${u.host}`).join(", ")} (WorkloadEntries)`,
  );
  const gateway = await istio.startGateway({ filterLogLevel: "debug" });
  console.log(
    `ingress gateway: pilot-agent (pid ${gateway.pid}) and its Envoy ${await envoyVersion(gateway.adminUrl)} (pid ${gateway.envoyPid}), admin ${gateway.adminUrl}\n`,
  );

  const release = await installChart(istio, { name: "grpcsvc", namespace: NAMESPACE, values: VALUES });
  console.log(`helm install grpcsvc --namespace ${NAMESPACE} (defaults, wasm.url=${VALUES.wasm.url}, wasm.sha256=${digest.slice(0, 12)}…)`);
  console.log("accepted by the API server through istiod's validating webhook:");
  const kinds: Array<[string, string, string]> = [
    ["networking.istio.io/v1", "Gateway", NAMESPACE],
    ["networking.istio.io/v1", "VirtualService", NAMESPACE],
    ["networking.istio.io/v1", "DestinationRule", NAMESPACE],
    ["extensions.istio.io/v1alpha1", "WasmPlugin", "istio-system"],
  ];
  for (const [apiVersion, kind, namespace] of kinds) {
    const names = (await istio.kube.list<KubeObject>(apiVersion, kind, namespace)).map((o) => `${namespace}/${o.metadata.name}`);
    console.log(`  ${kind}: ${names.join(", ")}`);
  }
  await gateway.waitForListener(80);
  await untilRouted("grpc");
  console.log("");
  await printPushed(gateway);

  const rows = [DEMO_HEADINGS];
  failed = !(await fire(gateway, ["grpc"], rows));
  await release.upgrade({ ...VALUES, service: { port: 8080, protocol: "http" } });
  await untilRouted("http1");
  failed = !(await fire(gateway, ["http1", "http2"], rows)) || failed;
  console.log(`\nthrough the gateway (gRPC service; then HTTP after helm upgrade --set service.protocol=http):\n${table(rows)}`);
  const errors = gateway.errors();
  if (errors.length > 0) {
    failed = true;
    console.log(`\nthe gateway logged errors:\n${errors.join("\n")}`);
  }
} finally {
  await istio.stop();
  await registry.stop();
}
process.exit(failed ? 1 : 0);
