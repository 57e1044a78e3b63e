// The names the chart gives a release's objects (manifests/version-router/templates), stated
// once for the suites that look them up in a rendering, the API server or a gateway's config.

/** A release's WasmPlugin, in the gateway's namespace: named for the release's namespace and app. */
export const pluginName = (namespace: string, app: string) => `${namespace}-${app}-version-router`;

/** The one WasmPlugin of a release that holds several services (services). */
export const sharedPluginName = (release: string) => `${release}-version-router`;

/** How a gateway names a WasmPlugin's filter (its ECDS resource and its place in the chain): they contain this. */
export const filterNameOf = (pluginNamespace: string, plugin: string) => `${pluginNamespace}.${plugin}`;
