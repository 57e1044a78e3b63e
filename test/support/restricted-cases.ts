// The requests the restricted-version suites through istiod send, and where each must land: v3
// is for the beta group (a verified JWT claim), everything else without it goes to the default.
import type { JwtIssuer } from "../../harness/auth/jwt-issuer.js";

export interface RestrictedCase {
  name: string;
  sent: string[];
  extra: () => Record<string, string>;
  /** Where it lands; absent when Envoy's jwt_authn refuses it (401). */
  version?: string;
}

/** `issuer` signs the tokens the gateway trusts; `stranger` has the same issuer name and another key. */
export function restrictedCases(issuer: JwtIssuer, stranger: JwtIssuer, claimHeader: string): RestrictedCase[] {
  const bearer = (claims: Record<string, unknown>, signer = issuer) => ({ authorization: `Bearer ${issuer.token(claims, signer)}` });
  return [
    { name: "a valid token with the claim reaches v3", sent: ["v3"], extra: () => bearer({ groups: ["beta"] }), version: "v3" },
    {
      name: "a valid token without the claim goes to the default",
      sent: ["v3"],
      extra: () => bearer({ groups: ["alpha"] }),
      version: "v1",
    },
    { name: "no token goes to the default", sent: ["v3"], extra: () => ({}), version: "v1" },
    { name: "a forged claim header goes to the default", sent: ["v3"], extra: () => ({ [claimHeader]: "beta" }), version: "v1" },
    { name: "a token signed by another key is refused (401)", sent: ["v3"], extra: () => bearer({ groups: ["beta"] }, stranger) },
    {
      name: "an expired token is refused (401)",
      sent: ["v3"],
      extra: () => bearer({ groups: ["beta"], exp: Math.floor(Date.now() / 1000) - 600 }),
    },
    { name: "an open version needs no token", sent: ["v2"], extra: () => ({}), version: "v2" },
  ];
}
