// make demo: build/filter.wasm in real Envoy in front of three versions; fires a short
// list of requests over HTTP/1.1, HTTP/2 and gRPC and prints where each one went.
import { openClient, PROTOCOLS } from "./clients/version-client.js";
import { DEMO_HEADINGS, DEMO_REQUESTS, DEMO_VERSIONS, decisionLogged, demoRow, table } from "./demo/demo-requests.js";
import { envoyVersion } from "./envoy/admin.js";
import { startEnvoy } from "./envoy/start-envoy.js";
import { versionRoutes } from "./envoy/version-routes.js";
import { startUpstreams } from "./upstreams/start-upstreams.js";
import { DEFAULT_VERSION_HEADER } from "./version-header.js";

const PLUGIN_CONFIG = { header: DEFAULT_VERSION_HEADER, versions: DEMO_VERSIONS, default: "v1", scope: "all" };

const upstreams = await startUpstreams(DEMO_VERSIONS);
const envoy = await startEnvoy({
  routing: versionRoutes(upstreams, DEFAULT_VERSION_HEADER),
  pluginConfig: PLUGIN_CONFIG,
  filterLogLevel: "debug",
});
let failed = false;
try {
  console.log(`Envoy ${await envoyVersion(envoy.adminUrl)}, admin ${envoy.adminUrl}`);
  console.log(`filter: build/filter.wasm, configuration ${JSON.stringify(PLUGIN_CONFIG)}\n`);
  const rows = [DEMO_HEADINGS];
  for (const protocol of PROTOCOLS) {
    const client = openClient(protocol, envoy.url);
    for (const { label, sent } of DEMO_REQUESTS) {
      const seen = envoy.logs().length;
      const answer = await client.send(sent);
      if (!answer.version) failed = true;
      rows.push(demoRow(protocol, label, sent, answer, await decisionLogged(envoy.logs, seen)));
    }
    await client.close();
  }
  console.log(table(rows));
  const errors = envoy.errors();
  if (errors.length > 0) {
    failed = true;
    console.log(`\nEnvoy logged errors:\n${errors.join("\n")}`);
  }
} finally {
  await envoy.stop();
  await upstreams.stop();
}
process.exit(failed ? 1 : 0);
