import { tableVersion } from "../../harness/reference-model.js";

// Three releases of the chart on one shared gateway, as the suites install them: their values,
// all with the default header name, and the filter configuration the chart renders for each
// (test/manifests/shared-gateway.test.ts checks that it does; the unit and e2e suites run it).

export interface SharedRelease {
  /** The Helm release name, the chart's app and the namespace it is installed in. */
  release: string;
  app: string;
  namespace: string;
  versions: string[];
  defaultVersion: string;
  /** The hosts it binds on the gateway. */
  hosts: string[];
  /** The chart values beyond the defaults (with versions and gateway.hosts). */
  values: Record<string, unknown>;
  /** The WasmPlugin's pluginConfig the chart renders from those values. */
  pluginConfig: Record<string, unknown>;
  /** Where a request without the version header (and without a cohort's key) goes. */
  withoutHeader: string;
  /** The host its requests name in the suites, one of hosts. */
  authority: string;
}

const tagged = (versions: string[]) => versions.map((name) => ({ name, tag: `${name.slice(1)}.0.0` }));
const meshHost = (app: string, namespace: string) => `${app}.${namespace}.svc.cluster.local`;

function release(
  app: string,
  namespace: string,
  versions: string[],
  defaultVersion: string,
  hosts: string[],
  delivery: Record<string, unknown> = {},
  withoutHeader = defaultVersion,
): SharedRelease {
  return {
    release: app,
    app,
    namespace,
    versions,
    defaultVersion,
    hosts,
    withoutHeader,
    authority: hosts[0]!.replace("*", app),
    values: { app, versions: tagged(versions), defaultVersion, gateway: { hosts }, ...delivery },
    pluginConfig: {
      service: `${namespace}/${app}`,
      hosts: [...hosts, meshHost(app, namespace)],
      header: "grpcsvc",
      versions,
      default: defaultVersion,
      scope: "all",
      ...delivery,
    },
  };
}

/** shop/grpcsvc lists a v4 no one else has; pay/paysvc sends everyone without a header to v2; cart/cartsvc defaults to v2, jason to v3. */
export const SHOP = release("grpcsvc", "shop", ["v1", "v2", "v3", "v4"], "v1", ["a.example.com"]);
export const PAY = release("paysvc", "pay", ["v1", "v2"], "v1", ["b.example.com"], { canary: { weights: { v1: 0, v2: 100 } } }, "v2");
export const CART = release("cartsvc", "cart", ["v1", "v2", "v3"], "v2", ["*.c.example.com"], {
  cohorts: [{ match: { header: "x-user", exact: "jason" }, version: "v3" }],
});

export const SHARED_RELEASES: readonly SharedRelease[] = [SHOP, PAY, CART];

/** A host none of them binds. */
export const UNOWNED_HOST = "d.example.com";

/** Where the release's filter sends a request with these version header values (and no cohort key). */
export function expectedVersion(r: SharedRelease, sent: readonly string[]): string {
  return sent.length === 0 ? r.withoutHeader : tableVersion(r.versions, r.defaultVersion, sent);
}

export interface CrossCase {
  to: SharedRelease;
  sent: string[];
  extra: Record<string, string>;
  version: string;
  why: string;
}

/** Requests one service's filter decides by its own configuration where another's would decide otherwise. */
export const CROSS_CASES: readonly CrossCase[] = [
  { to: SHOP, sent: ["v4"], extra: {}, version: "v4", why: "a version only shop lists" },
  { to: PAY, sent: [], extra: {}, version: "v2", why: "pay's canary sends everyone without a header to v2" },
  { to: CART, sent: [], extra: {}, version: "v2", why: "cart's default is v2" },
  { to: CART, sent: [], extra: { "x-user": "jason" }, version: "v3", why: "cart's cohort" },
  { to: SHOP, sent: [], extra: { "x-user": "jason" }, version: "v1", why: "shop has no cohort" },
];

/** Version header values of requests to a host no release owns: they reach its upstream as sent. */
export const UNOWNED_CASES: ReadonlyArray<{ sent: string[]; why: string }> = [
  { sent: ["v9"], why: "a wrong version" },
  { sent: [], why: "no header" },
  { sent: ["v2", "zz"], why: "two different values" },
];

/** The shared layout's values: the three services as entries of one release's services map. */
export function sharedLayoutValues(releases: readonly SharedRelease[] = SHARED_RELEASES): Record<string, unknown> {
  return { services: Object.fromEntries(releases.map((r) => [`${r.namespace}-${r.app}`, { namespace: r.namespace, ...r.values }])) };
}
