import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The release build of the filter; `make build` writes it. */
export const FILTER_WASM = fileURLToPath(new URL("../build/filter.wasm", import.meta.url));

/** A test build of the filter whose VM traps on a request with TRAP_TRIGGER_HEADER (assembly/trap-on-trigger.ts); never deployed. */
export const TRAP_TEST_WASM = fileURLToPath(new URL("../build/trap-test.wasm", import.meta.url));

/** The request header that traps TRAP_TEST_WASM's VM. */
export const TRAP_TRIGGER_HEADER = "x-version-router-test-trap";
