import { defineConfig } from "vitest/config";

const E2E = ["test/e2e/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Envoy suites each start their own processes; two cores cannot run many at once.
    maxWorkers: 2,
    reporters: ["default", "./test/plain-summary-reporter.ts"],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      // Helm renders the chart; istioctl analyzes it.
      { extends: true, test: { name: "manifests", include: ["test/manifests/**/*.test.ts"] } },
      // The chart's alerts and dashboard: promtool and a real Prometheus scraping real Envoy.
      { extends: true, test: { name: "monitoring", include: ["test/monitoring/**/*.test.ts"] } },
      // The same e2e suites twice: Envoy as a local process, then in a container.
      { extends: true, test: { name: "e2e", include: E2E, env: { ENVOY_RUNTIME: "process" } } },
      {
        extends: true,
        test: {
          name: "e2e-docker",
          include: [...E2E, "test/docker/**/*.test.ts"],
          env: { ENVOY_RUNTIME: "docker" },
          globalSetup: ["test/docker/global-setup.ts"],
        },
      },
      // Istio's control plane, the module registry and a gateway per file, on the gateway pod's
      // fixed ports (80, 15000, 15020, ...): one file at a time, run on its own in the private
      // network namespace (make test), after the other projects.
      {
        extends: true,
        test: {
          name: "istio",
          include: ["test/istio/**/*.test.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
