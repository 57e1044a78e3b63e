// Filter configurations for the admission-policy suite: valid ones, and each kind of mistake the
// filter's validator knows (assembly/config-validator.ts), at and past every limit
// (assembly/config-limits.ts), in one service and in a list of services.
import fc from "fast-check";

/** The filter's limits, as the suite probes them (one past each must be refused). */
export const LIMITS = {
  services: 16,
  versions: 32,
  hosts: 16,
  paths: 8,
  pathLength: 256,
  cohorts: 16,
  nameLength: 256,
  identities: 8,
} as const;

// A number JavaScript cannot write as it is (5.0, 1e3): a marked string, which json() writes bare.
const RAW = "\u0000raw:";
const raw = (text: string) => RAW + text;

/** The configuration as JSON text, with the marked numbers written as they are. */
export function json(config: unknown): string {
  return JSON.stringify(config).replace(/"\\u0000raw:([^"]*)"/g, "$1");
}

const times = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));

/** Good and bad values of one field: valid with the given probability (in percent). */
function choose<T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>, goodPercent = 85): fc.Arbitrary<T | U> {
  return fc.oneof({ arbitrary: good, weight: goodPercent }, { arbitrary: bad, weight: 100 - goodPercent });
}

const anyJson = fc.jsonValue({ maxDepth: 2 });

const TOKEN_CHARS = "!#$%&'*+-.^_`|~";
const goodName = fc.oneof(
  fc.constantFrom("grpcsvc", "X-Version", "x-user", "x`y", `a${TOKEN_CHARS}z`, "x".repeat(LIMITS.nameLength)),
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/),
);
const badName = fc.oneof(fc.constantFrom("", "x y", ":path", "é", 'x"y', "a,b", "x".repeat(LIMITS.nameLength + 1)), anyJson);

const goodVersion = fc.oneof(
  fc.constantFrom("v1", "v2", "v3", "V1", "canary-1.2", "blue", "a;b", "x`y", "v".repeat(128)),
  fc.stringMatching(/^[!-+\-~]{1,8}$/),
);
const badVersion = fc.oneof(fc.constantFrom("", "v 1", "a,b", "é", "v".repeat(129)), anyJson);

const hostLabel = fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/);
const goodHost = fc.oneof(
  fc.constantFrom("a.example.com", "A.Example.COM", "*.example.com", "*", "-.x", `${"a".repeat(63)}.com`, hostOf(253), `*.${hostOf(253)}`),
  fc.array(hostLabel, { minLength: 1, maxLength: 3 }).map((labels) => labels.join(".")),
  hostLabel.map((label) => `*.${label}.com`),
);
const badHost = fc.oneof(
  fc.constantFrom("", "a.com:80", "*a.com", "a..com", "a.", ".a", "*.", "*.*.a", "é.com", "a_b.com", `${"a".repeat(64)}.com`, hostOf(254)),
  anyJson,
);
/** A host name of exactly n characters: labels of 63, none empty. */
export function hostOf(n: number): string {
  const name = `${"h".repeat(63)}.`.repeat(5).slice(0, n);
  return name.endsWith(".") ? `${name.slice(0, -2)}.h` : name;
}

const goodPath = fc.oneof(
  fc.constantFrom("/", "/pkg.Svc/", "/v1/", "/a", `/${"p".repeat(LIMITS.pathLength - 1)}`),
  fc.stringMatching(/^\/[!-~]{0,8}$/),
);
const badPath = fc.oneof(fc.constantFrom("", "pkg", "/a b", "/é", `/${"p".repeat(LIMITS.pathLength)}`), anyJson);

/** A list of good items, or a bad one: empty, not a list, a bad item, an item twice, one past the limit. */
function names(
  good: fc.Arbitrary<string>,
  bad: fc.Arbitrary<unknown>,
  limit: number,
  past: (i: number) => string,
  percent?: number,
): fc.Arbitrary<unknown> {
  const list = fc.uniqueArray(good, { minLength: 1, maxLength: 4 });
  return choose(
    fc.oneof({ arbitrary: list, weight: 9 }, { arbitrary: fc.constant(times(limit, past)), weight: 1 }),
    fc.oneof(
      fc.constant([]),
      anyJson,
      fc.tuple(list, bad).map(([items, item]) => [...items, item]),
      list.map((items) => [...items, items[0]]),
      fc.constant(times(limit + 1, past)),
    ),
    percent,
  );
}

const goodWeight = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(1_000_000, raw("5.0"), raw("1e3"), raw("1E+2")));
const badWeight = fc.oneof(fc.constantFrom(-1, 1_000_001, 9.5, raw("-0.5"), raw("1e7"), "5"), anyJson);

/** Weights for some of `versions`: good ones have a weight above 0. */
function weights(versions: string[], percent?: number): fc.Arbitrary<unknown> {
  const some = fc.subarray(versions, { minLength: 1 });
  const good = some.chain((keys) =>
    fc.tuple(...keys.map(() => goodWeight)).map((values) => ({ ...Object.fromEntries(keys.map((k, i) => [k, values[i]])), [keys[0]!]: 1 })),
  );
  return choose(
    good,
    fc.oneof(
      some.map((keys) => Object.fromEntries(keys.map((k) => [k, 0]))),
      fc.constant({}),
      good.map((w) => ({ ...(w as object), "not-listed": 1 })),
      fc.tuple(good, fc.constantFrom(...versions), badWeight).map(([w, k, bad]) => ({ ...(w as object), [k]: bad })),
      anyJson,
    ),
    percent,
  );
}

const MATCH_KINDS = ["exact", "prefix", "suffix", "contains"] as const;

/** A verified identity (a claim, a SAN, a trusted header and a match its source takes), or one the filter refuses. */
function identity(
  percent?: number,
  sources: readonly ("claim" | "san" | "trustedHeader")[] = ["claim", "san", "trustedHeader"],
): fc.Arbitrary<unknown> {
  const value = fc.oneof(fc.stringMatching(/^[a-z]{1,8}$/), fc.constantFrom("spiffe://a/b", "x".repeat(256)));
  const good = fc.oneof(
    ...(sources.includes("claim")
      ? [
          fc
            .tuple(fc.constantFrom("groups", "scope", "a.b", "x".repeat(256)), fc.constantFrom("exact", "includes"), value)
            .map(([claim, kind, v]) => ({ claim, [kind]: v })),
        ]
      : []),
    ...(sources.includes("san")
      ? [fc.tuple(fc.constantFrom("uri", "dns"), fc.constantFrom("exact", "prefix"), value).map(([san, kind, v]) => ({ san, [kind]: v }))]
      : []),
    ...(sources.includes("trustedHeader")
      ? [fc.tuple(goodName, fc.constantFrom("exact", "includes"), value).map(([trustedHeader, kind, v]) => ({ trustedHeader, [kind]: v }))]
      : []),
  );
  const bad = fc.oneof(
    fc.constantFrom(
      { claim: "groups" },
      { claim: "groups", prefix: "a" },
      { claim: "my groups", exact: "a" },
      { claim: "groups", includes: "a b" },
      { claim: "groups", exact: "" },
      { claim: "groups", exact: "x".repeat(257) },
      { san: "email", exact: "a" },
      { san: "uri", includes: "a" },
      { san: true, exact: "a" },
      { claim: "groups", san: "uri", exact: "a" },
      { claim: "groups", exact: "a", includes: "a" },
      { trustedHeader: "x y", exact: "a" },
      { trustedHeader: "x", prefix: "a" },
      { claim: "groups", exact: "a", note: 1 },
    ),
    anyJson,
  );
  return choose(good, bad, percent);
}

/** restricted: versions other than the default, each to 1 to 8 identities; or what the filter refuses. */
function restricted(versions: string[], defaultVersion: string | undefined, percent?: number): fc.Arbitrary<unknown> {
  const open = versions.filter((v) => v !== (defaultVersion ?? versions[0]));
  const good =
    open.length === 0
      ? fc.constant({})
      : fc
          .subarray(open, { minLength: 1 })
          .chain((keys) =>
            fc
              .tuple(...keys.map(() => fc.array(identity(percent), { minLength: 1, maxLength: 3 })))
              .map((lists) => Object.fromEntries(keys.map((k, i) => [k, lists[i]]))),
          );
  const bad = fc.oneof(
    fc.constant({ [defaultVersion ?? versions[0]!]: [{ claim: "groups", includes: "beta" }] }),
    fc.constant({ "not-listed": [{ claim: "groups", includes: "beta" }] }),
    fc.constant(Object.fromEntries(open.slice(0, 1).map((v) => [v, []]))),
    fc.constant(
      Object.fromEntries(open.slice(0, 1).map((v) => [v, times(LIMITS.identities + 1, () => ({ claim: "groups", includes: "beta" }))])),
    ),
    fc.constant(Object.fromEntries(open.slice(0, 1).map((v) => [v, { claim: "groups", includes: "beta" }]))),
    anyJson,
  );
  return choose(good, bad, percent);
}

function cohort(versions: string[], percent?: number): fc.Arbitrary<unknown> {
  const pick = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>, p?: number) => choose(good, bad, p ?? percent);
  const key = pick(
    fc.oneof(
      goodName.map((header) => ({ header })),
      goodName.map((cookie) => ({ cookie })),
    ),
    fc.oneof(
      badName.map((header) => ({ header })),
      badName.map((cookie) => ({ cookie })),
      fc.constant({}),
      fc.constant({ header: "x-user", cookie: "uid" }),
    ),
  );
  const text = pick(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constant("é")), fc.oneof(fc.constant(""), anyJson));
  const match = pick(
    fc.oneof(
      {
        arbitrary: fc.tuple(key, fc.constantFrom(...MATCH_KINDS), text).map(([k, kind, t]) => ({ ...(k as object), [kind]: t })),
        weight: 3,
      },
      { arbitrary: identity(percent, ["claim", "san"]), weight: 1 },
    ),
    fc.oneof(
      key,
      fc.tuple(key, text).map(([k, t]) => ({ ...(k as object), exact: t, prefix: t })),
      fc.tuple(key, text).map(([k, t]) => ({ ...(k as object), equals: t })),
      fc.tuple(key, text).map(([k, t]) => ({ ...(k as object), includes: t })),
      fc.constant({ claim: "groups", suffix: "a" }),
      fc.constant({ trustedHeader: "x", exact: "a" }),
      anyJson,
    ),
  );
  const target = pick(
    fc.oneof(
      fc.constantFrom(...versions).map((version) => ({ version })),
      weights(versions, percent).map((w) => ({ weights: w })),
    ),
    fc.oneof(
      fc.constant({}),
      fc.constant({ version: "not-listed" }),
      anyJson.map((version) => ({ version })),
      fc.tuple(fc.constantFrom(...versions), weights(versions, percent)).map(([version, w]) => ({ version, weights: w })),
    ),
  );
  return pick(
    fc.tuple(match, target).map(([m, t]) => ({ match: m, ...(t as object) })),
    fc.oneof(
      target,
      fc.tuple(match, target).map(([m, t]) => ({ match: m, ...(t as object), note: 1 })),
      anyJson,
    ),
  );
}

const cohortAt = (versions: string[]) => (i: number) => ({ match: { header: "x-user", exact: `u${i}` }, version: versions[0] });

/** One service's configuration; `name` and `hosts`, when given, are its own (several services). */
export function service(
  options: { name?: fc.Arbitrary<unknown>; hosts?: fc.Arbitrary<unknown>; goodPercent?: number } = {},
): fc.Arbitrary<Record<string, unknown>> {
  const field = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>, percent?: number) => choose(good, bad, percent ?? options.goodPercent);
  const versions = fc.uniqueArray(goodVersion, { minLength: 1, maxLength: 4 });
  return fc
    .tuple(
      field(
        fc.oneof({ arbitrary: versions, weight: 9 }, { arbitrary: fc.constant(times(LIMITS.versions, (i) => `v${i}`)), weight: 1 }),
        fc.constant(null),
        97,
      ),
    )
    .chain(([chosen]) => {
      // A service whose versions are bad still gets fields that name versions: the good ones it would have.
      const listed = Array.isArray(chosen) ? chosen : ["v1", "v2"];
      const bad = fc.oneof(
        fc.constant(undefined),
        fc.constant([]),
        anyJson,
        versions.chain((v) => badVersion.map((b) => [...v, b])),
        versions.map((v) => [...v, v[0]]),
        fc.constant(times(LIMITS.versions + 1, (i) => `v${i}`)),
      );
      return fc
        .record(
          {
            service:
              options.name ??
              field(
                fc.oneof(fc.constantFrom("shop/grpcsvc", "s".repeat(253)), fc.stringMatching(/^[!-:<>-~]{1,12}$/)),
                fc.oneof(fc.constantFrom("", "a;b", "x=y", "é", "s".repeat(254)), anyJson),
              ),
            hosts: options.hosts ?? names(goodHost, badHost, LIMITS.hosts, (i) => `h${i}.example.com`, options.goodPercent),
            paths: names(goodPath, badPath, LIMITS.paths, (i) => `/p${i}/`, options.goodPercent),
            header: field(goodName, badName),
            versions: chosen === null ? bad : fc.constant(chosen),
            default: field(fc.constantFrom(...listed), fc.oneof(fc.constant("not-listed"), anyJson)),
            scope: field(fc.constantFrom("all", "grpc"), fc.oneof(fc.constantFrom("http", "ALL", ""), anyJson)),
            stickyBy: field(
              fc.oneof(
                goodName.map((header) => ({ header })),
                goodName.map((cookie) => ({ cookie })),
              ),
              fc.oneof(
                fc.constant({}),
                fc.constant({ header: "x-user", cookie: "uid" }),
                badName.map((header) => ({ header })),
                badName.map((cookie) => ({ cookie })),
                fc.constant({ heder: "x" }),
                anyJson,
              ),
            ),
            cohorts: field(
              fc.oneof(
                { arbitrary: fc.array(cohort(listed, options.goodPercent), { maxLength: 3 }), weight: 9 },
                { arbitrary: fc.constant(times(LIMITS.cohorts, cohortAt(listed))), weight: 1 },
              ),
              fc.oneof(fc.constant(times(LIMITS.cohorts + 1, cohortAt(listed))), fc.constant({}), anyJson),
              95,
            ),
            canary: field(
              weights(listed, options.goodPercent).map((w) => ({ weights: w })),
              fc.oneof(
                fc.constant({}),
                weights(listed, options.goodPercent).map((w) => ({ weights: w, note: 1 })),
                anyJson,
              ),
            ),
            decisionHeader: field(goodName, fc.oneof(badName, fc.constantFrom("grpcsvc", "GRPCSVC"))),
            unknown: field(fc.constant(undefined), fc.constantFrom("bogus", "responseHeader", "Versions"), 95),
          },
          { requiredKeys: ["versions", "unknown"] },
        )
        .chain((config) =>
          // restricted names versions other than the default the record chose: drawn after it.
          fc
            .option(restricted(listed, typeof config.default === "string" ? config.default : undefined, options.goodPercent), {
              nil: undefined,
              freq: 2,
            })
            .map((r) => (r === undefined ? config : { ...config, restricted: r })),
        );
    })
    .map((config) => {
      // `unknown` names a field the filter does not know; it is there for some services only.
      const { unknown, versions, ...rest } = config;
      const out: Record<string, unknown> = { ...rest };
      if (versions !== undefined) out.versions = versions;
      if (typeof unknown === "string") out[unknown] = 1;
      return out;
    });
}

/** Several services (the shared layout): named or not, their hosts from a small set so that claims collide. */
export const services: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.array(
      service({
        goodPercent: 95,
        name: choose(fc.constantFrom("shop/a", "shop/b", "pay/a", "s"), fc.oneof(fc.constant(undefined), fc.constant(""), anyJson)),
        hosts: choose(
          fc.uniqueArray(fc.constantFrom("a.example.com", "A.example.com", "b.example.com", "*.example.com", "*"), {
            minLength: 1,
            maxLength: 2,
          }),
          fc.constant([]),
          90,
        ),
      }).map(({ service: name, ...rest }) => (name === undefined ? rest : { service: name, ...rest })),
      { minLength: 1, maxLength: 3 },
    ),
    fc.oneof(
      { arbitrary: fc.constant("list"), weight: 90 },
      {
        arbitrary: fc.constantFrom("empty", "not a list", "an item not an object", "a field beside", "past the limit", "at the limit"),
        weight: 10,
      },
    ),
  )
  .map(([list, shape]) => {
    if (shape === "empty") return { services: [] };
    if (shape === "not a list") return { services: list[0] };
    if (shape === "an item not an object") return { services: [...list, 7] };
    if (shape === "a field beside") return { services: list, versions: ["v1"] };
    const many = (n: number) => ({ services: times(n, (i) => ({ service: `s${i}`, hosts: [`s${i}.example.com`], versions: ["v1"] })) });
    if (shape === "past the limit") return many(LIMITS.services + 1);
    if (shape === "at the limit") return many(LIMITS.services);
    return { services: list };
  });

/** Any configuration the suite sends: one service, several, or no object of them at all. */
export const configurations: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: service(), weight: 40 },
  // Mostly valid: the accepted branch and the boundaries of the valid space.
  { arbitrary: service({ goodPercent: 98 }), weight: 20 },
  { arbitrary: services, weight: 35 },
  { arbitrary: fc.constantFrom({}, { services: null }), weight: 5 },
);

/**
 * The largest configuration the filter takes, as far as the API server stores it (etcd's 1.5 MiB
 * request limit): `services` services, each with every count at its limit, every name at its
 * longest, version names of `versionLength` characters, each cohort and the canary weighing
 * every version, and every service on the same hosts with its own paths (the overlap check's
 * worst case: every pair compared).
 */
export function largest(services: number, versionLength: number, options: { restricted?: boolean; identityLength?: number } = {}): unknown {
  const pad = (prefix: string, n: number, fill: string) => prefix + fill.repeat(n - prefix.length);
  const versions = times(LIMITS.versions, (i) => pad(`v${i}-`, versionLength, "v"));
  const all = Object.fromEntries(versions.map((v, i) => [v, i === 0 ? 1_000_000 : i]));
  const name = (prefix: string) => pad(prefix, LIMITS.nameLength, "h");
  const one = (s: number) => ({
    service: pad(`s${s}/`, 253, "s"),
    hosts: times(LIMITS.hosts, (h) => pad(`h${h}-`, 63, "h") + hostOf(253).slice(63)),
    paths: times(LIMITS.paths, (p) => pad(`/s${s}-p${p}/`, LIMITS.pathLength, "p")),
    header: name("x-version-"),
    versions,
    default: versions[LIMITS.versions - 1],
    scope: "grpc",
    stickyBy: { header: name("x-user-") },
    cohorts: times(LIMITS.cohorts, (c) => ({ match: { cookie: name(`c${c}-`), contains: "x".repeat(64) }, weights: all })),
    canary: { weights: all },
    decisionHeader: name("x-decision-"),
    // Every version but the default restricted to the most identities, each at its longest (or identityLength).
    ...(options.restricted
      ? {
          restricted: Object.fromEntries(
            versions.slice(0, -1).map((v) => [
              v,
              times(LIMITS.identities, (i) => ({
                claim: pad(`c${i}-`, options.identityLength ?? 256, "c"),
                includes: pad(`w${i}-`, options.identityLength ?? 256, "w"),
              })),
            ]),
          ),
        }
      : {}),
  });
  return services === 1 ? one(0) : { services: times(services, one) };
}
