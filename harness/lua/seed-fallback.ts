import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

let source: string | undefined;

/** The Lua filter the product replaces, run by the same harness as a reference (read on first use). */
export function seedLuaSource(): string {
  source ??= readFileSync(fileURLToPath(new URL("./seed-fallback.lua", import.meta.url)), "utf8");
  return source;
}
