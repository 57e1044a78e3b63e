// A test run's stand-in, run by test/e2e/killed-run.test.ts as a process of its own: it starts
// an Envoy (as a process, or a container under ENVOY_RUNTIME=docker) and a service process the way
// the suites do, prints what it started, and waits to be killed.
import { startEnvoy } from "../../harness/envoy/start-envoy.js";
import { spawnService } from "../../harness/process/service-process.js";

const envoy = await startEnvoy({
  routing: { routes: [{ name: "any", directResponse: { status: 200, body: "ok" } }], clusters: [] },
  filter: "none",
  runtime: process.env.ENVOY_RUNTIME === "docker" ? "docker" : "process",
});
const service = spawnService("sleeper", "sleep", ["600"]);
console.log(JSON.stringify({ envoyPid: envoy.pid ?? null, adminUrl: envoy.adminUrl, servicePid: service.pid }));
setInterval(() => undefined, 60_000);
