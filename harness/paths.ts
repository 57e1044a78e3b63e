import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The release build of the filter; `make build` writes it. */
export const FILTER_WASM = fileURLToPath(new URL("../build/filter.wasm", import.meta.url));
