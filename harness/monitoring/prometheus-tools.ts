// Where the pinned Prometheus and promtool are: `make prometheus` builds them into .tools/
// and exports their paths (PROMETHEUS_BIN, PROMTOOL_BIN); the version is pinned there.
import { existsSync } from "node:fs";

export interface PrometheusTools {
  prometheus: string;
  promtool: string;
}

/** The tools from the environment `make prometheus` sets, or the names of what is missing. */
export function prometheusTools(env: NodeJS.ProcessEnv = process.env): PrometheusTools | { missing: string[] } {
  const tools = { prometheus: env.PROMETHEUS_BIN ?? "", promtool: env.PROMTOOL_BIN ?? "" };
  const missing = Object.entries(tools)
    .filter(([, path]) => !path || !existsSync(path))
    .map(([name, path]) => path || `${name.toUpperCase()}_BIN`);
  return missing.length === 0 ? tools : { missing };
}
