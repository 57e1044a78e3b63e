// make fuzz: 1,000,000 generated version headers (FUZZ_RUNS to change) through the real
// filter.wasm in the in-process host, checked against the decision table.
import fc from "fast-check";
import { ProxyWasmHost } from "../host/index.js";
import { FILTER_WASM } from "../paths.js";
import { anyVersionHeaders } from "./header-values.js";
import { checkRoute } from "./route-check.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 1_000_000);
const VERSIONS = ["v1", "v2", "v3", "canary-2024.1"];
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const host = await ProxyWasmHost.load(FILTER_WASM);
if (!host.configure(JSON.stringify({ versions: VERSIONS, default: "v2" }))) throw new Error("configuration rejected");
const memoryBefore = host.memoryBytes();
let explicit = 0;
let bytes = 0;
const started = Date.now();
fc.assert(
  fc.property(anyVersionHeaders(VERSIONS), fc.boolean(), (values, grpc) => {
    const result = checkRoute(host, VERSIONS, "v2", values, grpc);
    if (result.violation) throw new Error(result.violation);
    if (result.explicit) explicit++;
    bytes += values.reduce((n, v) => n + v.length, 0);
    if (host.logs.length > 1000) host.logs.length = 0;
  }),
  { numRuns: RUNS, seed },
);
const seconds = (Date.now() - started) / 1000;
console.log(
  `fuzz: ${RUNS} requests (seed ${seed}), ${explicit} kept, ${RUNS - explicit} defaulted, ` +
    `${(bytes / 2 ** 20).toFixed(1)} MiB of header values, 0 violations, ` +
    `memory ${memoryBefore} -> ${host.memoryBytes()} bytes, ${seconds.toFixed(1)} s`,
);
