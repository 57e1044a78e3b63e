// The largest configuration the filter takes. The chart's admission policy restates these
// (manifests/version-router/templates/_admission.tpl) and is measured within the API server's
// CEL cost limits up to them (test/istio/admission-policy.test.ts): the cost of its check that two
// services keep apart grows with the pairs of services, their hosts, their paths and the paths'
// length. An HTTPRoute has at most 16 hostnames; more services share a gateway in more releases.
export const MAX_SERVICES = 16;
export const MAX_VERSIONS = 32;
export const MAX_HOSTS = 16;
export const MAX_PATHS = 8;
export const MAX_PATH_LENGTH = 256;
export const MAX_COHORTS = 16;
/** Identities that may reach one restricted version. */
export const MAX_IDENTITIES = 8;
/** An identity's value (a claim's, a SAN's or a trusted header's): at most this many characters. */
export const MAX_IDENTITY_VALUE_LENGTH = 256;
