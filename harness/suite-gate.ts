/**
 * Whether suites that need a real part (Envoy, Docker, Helm) should run. When the part is
 * missing: with REQUIRE_<PART>=1 (CI) that is an error, never a skip; on a laptop the
 * suites skip and say why and how to enable them.
 */
export function suitesEnabled(part: "Envoy" | "Docker" | "Helm" | "Istio", available: boolean, why: string): boolean {
  if (available) return true;
  const variable = `REQUIRE_${part.toUpperCase()}`;
  if (process.env[variable] === "1") throw new Error(`${why}; ${variable}=1 forbids skipping`);
  console.warn(`skipping ${part} suites: ${why}`);
  return false;
}
