// A request's identity as Envoy verified it, read only when asked: a JWT claim from jwt_authn's
// dynamic metadata and a client certificate's SAN through proxy_get_property, a trusted header
// from the request scan. Nothing is read for a request whose decision needs no identity.
import { IdentitySource } from "./config-model";
import { Identity, IdentityFacts, valueHolds } from "./identity";
import { PropertyValue } from "./proxy-wasm";
import { NO_VALUE, RequestScan, valueData, valueSize } from "./request-scan";

export class RequestIdentity extends IdentityFacts {
  private readonly property: PropertyValue = new PropertyValue();

  constructor(private readonly request: RequestScan) {
    super();
  }

  holds(identity: Identity): bool {
    if (identity.source == IdentitySource.TrustedHeader) {
      const value = this.request.headerValue(identity.headerSlot);
      return value != NO_VALUE && valueHolds(valueData(value), valueSize(value), identity, false);
    }
    const property = this.property;
    if (!property.load(identity.path)) return false;
    const held = valueHolds(property.data, property.size, identity, identity.source == IdentitySource.Claim);
    property.release();
    return held;
  }
}
