// A JWT issuer for the suites: an RSA key made with node:crypto, its JWKS (what a
// RequestAuthentication or Envoy's jwt_authn provider is given inline), and RS256 tokens with
// whatever claims, lifetime and key a case needs (another key, an expired token).
import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";

export interface JwtIssuer {
  issuer: string;
  /** {"keys":[...]} with the public key, as local_jwks / jwks take it. */
  jwks: string;
  /**
   * A signed token with `iss` this issuer and `exp` an hour ahead unless `claims` say otherwise;
   * `signWith` another issuer's key forges one this issuer's JWKS cannot verify.
   */
  token(claims?: Record<string, unknown>, signWith?: JwtIssuer): string;
}

interface KeyPair {
  kid: string;
  privateKey: KeyObject;
}

const keys = new WeakMap<JwtIssuer, KeyPair>();
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function createJwtIssuer(issuer: string, kid = "version-router-test"): JwtIssuer {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  const self: JwtIssuer = {
    issuer,
    jwks: JSON.stringify({ keys: [jwk] }),
    token: (claims = {}, signWith) => {
      const key = keys.get(signWith ?? self)!;
      const payload = { iss: issuer, exp: Math.floor(Date.now() / 1000) + 3600, ...claims };
      const signed = `${b64({ alg: "RS256", typ: "JWT", kid: key.kid })}.${b64(payload)}`;
      return `${signed}.${createSign("RSA-SHA256").update(signed).sign(key.privateKey).toString("base64url")}`;
    },
  };
  keys.set(self, { kid, privateKey });
  return self;
}
