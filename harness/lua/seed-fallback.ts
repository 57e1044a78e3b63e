import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The Lua filter the product replaces, run by the same harness as a reference. */
export const SEED_LUA_SOURCE = readFileSync(fileURLToPath(new URL("./seed-fallback.lua", import.meta.url)), "utf8");
