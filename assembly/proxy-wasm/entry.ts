// What every module entry re-exports: the ABI's entry points and the host's allocator.
// An entry is then two lines: `export * from` this file, and registerRootContext(...).
// asconfig.json's `use` makes abortHandler the module's abort; asc finds it only in a file
// the program imports, which this is.
import "./abort";

export * from "./exports";
export { proxy_on_memory_allocate } from "./memory";
