// The configuration's validator: every field checked, every mistake named by its path.
// It reads JSON into the model (config-model.ts); compileConfig then derives what requests need.
import {
  asciiLowerCase,
  isBlank,
  isClaimName,
  isCookieName,
  isHeaderName,
  isHostPattern,
  isPathPrefix,
  isServiceName,
  isVersionName,
  listed,
  MAX_NAME_LENGTH,
  MAX_SERVICE_LENGTH,
  MAX_VERSION_LENGTH,
} from "./char-classes";
import { MAX_COHORTS, MAX_HOSTS, MAX_IDENTITIES, MAX_IDENTITY_VALUE_LENGTH, MAX_PATHS, MAX_SERVICES, MAX_VERSIONS } from "./config-limits";
import {
  CohortModel,
  IdentityMatch,
  IdentityModel,
  IdentitySource,
  KeyModel,
  KeySource,
  MatchKind,
  RouterModel,
  Scope,
  ServiceModel,
  Weights,
} from "./config-model";
import { JsonKind, JsonValue, parseJson } from "./json";
import { decimal } from "./proxy-wasm";

export class ConfigResult {
  model: RouterModel | null = null;
  /** `field: what is wrong`, when model is null. */
  error: string = "";
}

const SERVICE_FIELDS = [
  "service",
  "hosts",
  "paths",
  "header",
  "versions",
  "default",
  "scope",
  "stickyBy",
  "cohorts",
  "canary",
  "restricted",
  "decisionHeader",
];
const KEY_FIELDS = ["header", "cookie"];
const MATCH_KINDS = ["exact", "prefix", "suffix", "contains"];
// A cohort matches a header or cookie, or an identity: each form takes only its own fields.
const KEY_MATCH_FIELDS = KEY_FIELDS.concat(MATCH_KINDS);
const IDENTITY_MATCH_FIELDS = ["claim", "san", "exact", "includes", "prefix"];
const COHORT_FIELDS = ["match", "version", "weights"];
const CANARY_FIELDS = ["weights"];
// Where an identity comes from, and the matches each source takes (in IdentityMatch order).
const IDENTITY_SOURCES = ["claim", "san", "trustedHeader"];
const IDENTITY_MATCHES = ["exact", "includes", "prefix"];
const IDENTITY_MATCHES_OF: string[][] = [
  ["exact", "includes"],
  ["exact", "prefix"],
  ["exact", "includes"],
];
const IDENTITY_FIELDS = IDENTITY_SOURCES.concat(IDENTITY_MATCHES);
const EXACTLY_ONE = "must have exactly one of ";
// Header and cookie names: RFC 9110 tokens.
const NAME = "a token of 1 to " + decimal(MAX_NAME_LENGTH) + " characters";
const CONFIGURATION = "configuration: ";
const MAX_WEIGHT: u32 = 1_000_000;

/** Checks one configuration field by field; the first mistake is reported as `field: what is wrong`. */
class ConfigValidator {
  error: string = "";
  /** Where the service being read sits: "" for a configuration of one service, `services[i]` in a list. */
  at: string = "";
  service: ServiceModel = new ServiceModel();

  /** `field: must be <rule>, got <what value is>`. */
  mustBe(field: string, rule: string, value: JsonValue): bool {
    return this.fail(field, "must be " + rule + ", got " + show(value));
  }

  fail(field: string, message: string): bool {
    if (this.error.length == 0) this.error = join(this.at, field) + ": " + message;
    return false;
  }

  knownFields(value: JsonValue, path: string, known: string[]): bool {
    for (let i = 0; i < value.keys.length; i++) {
      if (!known.includes(value.keys[i])) {
        return this.fail(join(path, value.keys[i]), "unknown field, not one of " + listed(known));
      }
    }
    return true;
  }

  /**
   * Which one of `names` the object `value` has, when it has exactly one and that one is
   * `allowed`; otherwise fails at `path` with `message` and answers -1.
   */
  onlyOne(value: JsonValue, path: string, names: string[], allowed: string[], message: string): i32 {
    let found = -1;
    for (let i = 0; i < names.length; i++) {
      if (value.get(names[i]) === null) continue;
      if (found >= 0 || !allowed.includes(names[i])) {
        found = -1;
        break;
      }
      found = i;
    }
    if (found < 0) this.fail(path, message);
    return found;
  }

  isObject(value: JsonValue, path: string): bool {
    return value.kind == JsonKind.Object || this.mustBe(path, "an object", value);
  }

  object(value: JsonValue, path: string, known: string[]): bool {
    return this.isObject(value, path) && this.knownFields(value, path, known);
  }

  headerName(value: JsonValue, field: string): string | null {
    if (value.kind != JsonKind.String || !isHeaderName(value.text)) {
      this.mustBe(field, NAME, value);
      return null;
    }
    return asciiLowerCase(value.text);
  }

  /** An array of 1 to `max` items. */
  someItems(value: JsonValue, field: string, max: i32, what: string): bool {
    if (value.kind == JsonKind.Array && value.items.length > 0 && value.items.length <= max) return true;
    return this.mustBe(field, "an array of 1 to " + decimal(max) + " " + what, value);
  }

  /** 1 to `max` strings that each pass `valid` (the `rule`), none twice; null after a failure. */
  names(value: JsonValue, field: string, max: i32, what: string, rule: string, valid: (text: string) => bool): string[] | null {
    if (!this.someItems(value, field, max, what)) return null;
    const out: string[] = [];
    for (let i = 0; i < value.items.length; i++) {
      const item = value.items[i];
      const at = field + "[" + decimal(i) + "]";
      if (item.kind != JsonKind.String || !valid(item.text)) {
        this.mustBe(at, rule, item);
        return null;
      }
      if (out.includes(item.text)) {
        this.fail(at, '"' + item.text + '" is listed twice');
        return null;
      }
      out.push(item.text);
    }
    return out;
  }

  root(root: JsonValue): RouterModel | null {
    if (root.kind != JsonKind.Object) {
      this.error = CONFIGURATION + "must be a JSON object";
      return null;
    }
    const model = new RouterModel();
    const list = root.get("services");
    if (list === null) {
      if (!this.knownFields(root, "", SERVICE_FIELDS) || !this.serviceFields(root)) return null;
      model.services.push(this.service);
      return model;
    }
    if (!this.knownFields(root, "", ["services"])) return null;
    if (!this.someItems(list, "services", MAX_SERVICES, "services")) return null;
    for (let i = 0; i < list.items.length; i++) {
      this.at = "services[" + decimal(i) + "]";
      this.service = new ServiceModel();
      const item = list.items[i];
      if (!this.object(item, "", SERVICE_FIELDS) || !this.serviceFields(item)) return null;
      if (item.get("service") === null) {
        this.fail("service", "is required");
        return null;
      }
      if (!this.claimsApart(model.services, this.service)) return null;
      model.services.push(this.service);
    }
    return model;
  }

  /** A service owns its hosts alone, unless both services narrow a host by paths that do not overlap. */
  claimsApart(earlier: ServiceModel[], service: ServiceModel): bool {
    for (let s = 0; s < earlier.length; s++) {
      const other = earlier[s];
      if (other.name == service.name) return this.fail("service", '"' + service.name + '" is listed twice');
      for (let h = 0; h < service.hosts.length; h++) {
        const host = service.hosts[h];
        if (other.hosts.includes(host) && pathsOverlap(other.paths, service.paths)) {
          return this.fail("hosts[" + decimal(h) + "]", '"' + host + '" is also ' + other.name + "'s, with overlapping paths");
        }
      }
    }
    return true;
  }

  serviceFields(value: JsonValue): bool {
    return (
      this.name(value.get("service")) &&
      this.hosts(value.get("hosts")) &&
      this.paths(value.get("paths")) &&
      this.header(value.get("header")) &&
      this.versions(value.get("versions")) &&
      this.defaultVersion(value.get("default")) &&
      this.scope(value.get("scope")) &&
      this.stickyBy(value.get("stickyBy")) &&
      this.cohorts(value.get("cohorts")) &&
      this.canary(value.get("canary")) &&
      this.restricted(value.get("restricted")) &&
      this.decisionHeader(value.get("decisionHeader"))
    );
  }

  name(value: JsonValue | null): bool {
    if (value === null) return true;
    if (value.kind != JsonKind.String || !isServiceName(value.text)) {
      return this.mustBe("service", visibleAscii(MAX_SERVICE_LENGTH, "';' or '='"), value);
    }
    this.service.name = value.text;
    return true;
  }

  hosts(value: JsonValue | null): bool {
    if (value === null) return true;
    const hosts = this.names(value, "hosts", MAX_HOSTS, "hosts", "a host name, *.name or * (no port)", isHostPattern);
    if (hosts === null) return false;
    for (let i = 0; i < hosts.length; i++) hosts[i] = asciiLowerCase(hosts[i]);
    this.service.hosts = hosts;
    return true;
  }

  paths(value: JsonValue | null): bool {
    if (value === null) return true;
    const paths = this.names(value, "paths", MAX_PATHS, "path prefixes", "/ and visible ASCII, at most 256", isPathPrefix);
    if (paths === null) return false;
    this.service.paths = paths;
    return true;
  }

  header(value: JsonValue | null): bool {
    if (value === null) return true;
    const name = this.headerName(value, "header");
    if (name === null) return false;
    this.service.header = name;
    return true;
  }

  versions(value: JsonValue | null): bool {
    if (value === null) return this.fail("versions", "is required");
    const rule = visibleAscii(MAX_VERSION_LENGTH, "','");
    const versions = this.names(value, "versions", MAX_VERSIONS, "version names", rule, isVersionName);
    if (versions === null) return false;
    this.service.versions = versions;
    const restricted: IdentityModel[][] = [];
    for (let i = 0; i < versions.length; i++) restricted.push([]);
    this.service.restricted = restricted;
    return true;
  }

  versionIndex(value: JsonValue, field: string): i32 {
    if (value.kind != JsonKind.String) {
      this.mustBe(field, "a string", value);
      return -1;
    }
    const index = this.service.versions.indexOf(value.text);
    if (index < 0) {
      this.fail(field, '"' + value.text + '" ' + notListed(this.service.versions));
    }
    return index;
  }

  defaultVersion(value: JsonValue | null): bool {
    if (value === null) return true;
    const index = this.versionIndex(value, "default");
    if (index < 0) return false;
    this.service.defaultIndex = index;
    return true;
  }

  scope(value: JsonValue | null): bool {
    if (value === null) return true;
    if (value.kind == JsonKind.String && value.text == "all") return true;
    if (value.kind == JsonKind.String && value.text == "grpc") {
      this.service.scope = Scope.Grpc;
      return true;
    }
    return this.mustBe("scope", '"all" or "grpc"', value);
  }

  /** `{ "header": name }` or `{ "cookie": name }`; the caller has checked the object's other fields. */
  keyRef(value: JsonValue, path: string): KeyModel | null {
    const header = value.get("header");
    const cookie = value.get("cookie");
    if ((header === null) == (cookie === null)) {
      this.fail(path, EXACTLY_ONE + '"header" or "cookie"');
      return null;
    }
    if (header !== null) {
      const name = this.headerName(header, join(path, "header"));
      if (name === null) return null;
      return new KeyModel(KeySource.Header, name);
    }
    const c = <JsonValue>cookie;
    if (c.kind != JsonKind.String || !isCookieName(c.text)) {
      this.mustBe(join(path, "cookie"), NAME, c);
      return null;
    }
    return new KeyModel(KeySource.Cookie, c.text);
  }

  stickyBy(value: JsonValue | null): bool {
    if (value === null) return true;
    if (!this.object(value, "stickyBy", KEY_FIELDS)) return false;
    this.service.stickyBy = this.keyRef(value, "stickyBy");
    return this.service.stickyBy !== null;
  }

  weights(value: JsonValue | null, path: string): Weights | null {
    if (value === null) {
      this.fail(path, "is required");
      return null;
    }
    if (!this.isObject(value, path)) return null;
    const versions = this.service.versions;
    const own = new StaticArray<u32>(versions.length);
    for (let i = 0; i < value.keys.length; i++) {
      const field = join(path, value.keys[i]);
      const index = versions.indexOf(value.keys[i]);
      if (index < 0) {
        this.fail(field, notListed(versions));
        return null;
      }
      const w = value.items[i];
      if (w.kind != JsonKind.Number || !w.integral || w.integer < 0 || w.integer > <i64>MAX_WEIGHT) {
        this.mustBe(field, "an integer from 0 to " + decimal(MAX_WEIGHT), w);
        return null;
      }
      own[index] = <u32>w.integer;
    }
    const cumulative = new StaticArray<u32>(versions.length);
    let sum: u32 = 0;
    for (let i = 0; i < versions.length; i++) {
      sum += own[i];
      cumulative[i] = sum;
    }
    if (sum == 0) {
      this.fail(path, "needs a weight above 0");
      return null;
    }
    return new Weights(cumulative, sum);
  }

  cohorts(value: JsonValue | null): bool {
    if (value === null) return true;
    if (value.kind != JsonKind.Array || value.items.length > MAX_COHORTS) {
      return this.mustBe("cohorts", "an array of at most " + decimal(MAX_COHORTS), value);
    }
    for (let i = 0; i < value.items.length; i++) {
      const path = "cohorts[" + decimal(i) + "]";
      const item = value.items[i];
      if (!this.object(item, path, COHORT_FIELDS)) return false;
      const match = item.get("match");
      if (match === null) return this.fail(join(path, "match"), "is required");
      const matchPath = join(path, "match");
      if (!this.isObject(match, matchPath)) return false;
      if (match.get("claim") !== null || match.get("san") !== null) {
        if (!this.knownFields(match, matchPath, IDENTITY_MATCH_FIELDS)) return false;
        const identity = this.identity(match, matchPath, IDENTITY_SOURCES.slice(0, 2));
        if (identity === null) return false;
        const cohort = new CohortModel(null, MatchKind.Exact, "");
        cohort.identity = identity;
        if (!this.cohortChoice(cohort, item, path)) return false;
        this.service.cohorts.push(cohort);
        continue;
      }
      if (!this.knownFields(match, matchPath, KEY_MATCH_FIELDS)) return false;
      const key = this.keyRef(match, matchPath);
      if (key === null) return false;
      const kind = this.onlyOne(match, matchPath, MATCH_KINDS, MATCH_KINDS, EXACTLY_ONE + listed(MATCH_KINDS));
      if (kind < 0) return false;
      const text = <JsonValue>match.get(MATCH_KINDS[kind]);
      const textField = join(matchPath, MATCH_KINDS[kind]);
      if (text.kind != JsonKind.String || text.text.length == 0) {
        return this.mustBe(textField, "a non-empty string", text);
      }
      const cohort = new CohortModel(key, <MatchKind>kind, text.text);
      if (!this.cohortChoice(cohort, item, path)) return false;
      this.service.cohorts.push(cohort);
    }
    return true;
  }

  /** A cohort's `version` or `weights`. */
  cohortChoice(cohort: CohortModel, item: JsonValue, path: string): bool {
    const version = item.get("version");
    const weights = item.get("weights");
    if ((version === null) == (weights === null)) return this.fail(path, EXACTLY_ONE + '"version" or "weights"');
    if (version !== null) {
      cohort.version = this.versionIndex(version, join(path, "version"));
      return cohort.version >= 0;
    }
    cohort.weights = this.weights(weights, join(path, "weights"));
    return cohort.weights !== null;
  }

  /**
   * An identity, one of `sources`: `{ "claim": <name>, "exact" | "includes": <value> }`,
   * `{ "san": "uri" | "dns", "exact" | "prefix": <value> }` (the client certificate's first SAN of
   * that type) or `{ "trustedHeader": <name>, "exact" | "includes": <value> }`.
   */
  identity(value: JsonValue, path: string, sources: string[]): IdentityModel | null {
    const source = this.onlyOne(value, path, IDENTITY_SOURCES, sources, EXACTLY_ONE + listed(sources));
    if (source < 0) return null;
    const sourceName = IDENTITY_SOURCES[source];
    const nameValue = <JsonValue>value.get(sourceName);
    let name = "";
    if (source == <i32>IdentitySource.Claim) {
      if (nameValue.kind != JsonKind.String || !isClaimName(nameValue.text)) {
        this.mustBe(join(path, sourceName), "1 to " + decimal(MAX_NAME_LENGTH) + " visible ASCII characters", nameValue);
        return null;
      }
      name = nameValue.text;
    } else if (source == <i32>IdentitySource.TrustedHeader) {
      const header = this.headerName(nameValue, join(path, sourceName));
      if (header === null) return null;
      name = header;
    } else if (nameValue.kind != JsonKind.String || (nameValue.text != "uri" && nameValue.text != "dns")) {
      this.mustBe(join(path, sourceName), '"uri" or "dns" (which SAN of the client certificate)', nameValue);
      return null;
    } else {
      name = nameValue.text;
    }
    const allowed = IDENTITY_MATCHES_OF[source];
    const match = this.onlyOne(value, path, IDENTITY_MATCHES, allowed, "a " + sourceName + " " + EXACTLY_ONE + listed(allowed));
    if (match < 0) return null;
    const field = join(path, IDENTITY_MATCHES[match]);
    const text = <JsonValue>value.get(IDENTITY_MATCHES[match]);
    if (text.kind != JsonKind.String || text.text.length == 0 || text.text.length > MAX_IDENTITY_VALUE_LENGTH) {
      this.mustBe(field, "a string of 1 to " + decimal(MAX_IDENTITY_VALUE_LENGTH) + " characters", text);
      return null;
    }
    if (match == <i32>IdentityMatch.Includes && text.text.includes(" ")) {
      this.mustBe(field, "one word (includes finds a list element or a space-delimited word)", text);
      return null;
    }
    return new IdentityModel(<IdentitySource>source, name, <IdentityMatch>match, text.text);
  }

  /** `{ "<version>": [identity, ...] }`: who may reach each restricted version. */
  restricted(value: JsonValue | null): bool {
    if (value === null) return true;
    if (!this.isObject(value, "restricted")) return false;
    const versions = this.service.versions;
    for (let i = 0; i < value.keys.length; i++) {
      const field = join("restricted", value.keys[i]);
      const index = versions.indexOf(value.keys[i]);
      if (index < 0) return this.fail(field, notListed(versions));
      if (index == this.service.defaultIndex) {
        return this.fail(field, "is the default version, where a request without the identity goes: it cannot be restricted");
      }
      const list = value.items[i];
      if (!this.someItems(list, field, MAX_IDENTITIES, "identities")) return false;
      for (let j = 0; j < list.items.length; j++) {
        const at = field + "[" + decimal(j) + "]";
        if (!this.object(list.items[j], at, IDENTITY_FIELDS)) return false;
        const identity = this.identity(list.items[j], at, IDENTITY_SOURCES);
        if (identity === null) return false;
        this.service.restricted[index].push(identity);
      }
    }
    return true;
  }

  canary(value: JsonValue | null): bool {
    if (value === null) return true;
    if (!this.object(value, "canary", CANARY_FIELDS)) return false;
    this.service.canary = this.weights(value.get("weights"), "canary.weights");
    return this.service.canary !== null;
  }

  decisionHeader(value: JsonValue | null): bool {
    if (value === null) return true;
    const name = this.headerName(value, "decisionHeader");
    if (name === null) return false;
    if (name == this.service.header) return this.fail("decisionHeader", "must differ from header (" + name + ")");
    this.service.decisionHeader = name;
    return true;
  }
}

/** Whether some request path could start with a prefix of each list: either list empty, or one prefix starting another. */
function pathsOverlap(a: string[], b: string[]): bool {
  if (a.length == 0 || b.length == 0) return true;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      if (a[i].startsWith(b[j]) || b[j].startsWith(a[i])) return true;
    }
  }
  return false;
}

/** The configuration in `bytes` (JSON), checked; or the first mistake. */
export function validateConfig(bytes: ArrayBuffer): ConfigResult {
  const result = new ConfigResult();
  const text = String.UTF8.decode(bytes);
  if (isBlank(text)) {
    result.error = CONFIGURATION + "is empty";
    return result;
  }
  const parsed = parseJson(text);
  const root = parsed.value;
  if (root === null) {
    result.error = CONFIGURATION + "is not valid JSON: " + parsed.error;
    return result;
  }
  const validator = new ConfigValidator();
  result.model = validator.root(root);
  result.error = validator.error;
  return result;
}

function visibleAscii(max: i32, except: string): string {
  return "1 to " + decimal(max) + " visible ASCII characters without " + except;
}

function notListed(versions: string[]): string {
  return "is not one of versions " + listed(versions);
}

function join(path: string, field: string): string {
  return path.length == 0 ? field : field.length == 0 ? path : path + "." + field;
}

function show(value: JsonValue): string {
  if (value.kind == JsonKind.String) {
    const text = value.text.length > 64 ? value.text.substring(0, 64) + "..." : value.text;
    return '"' + text + '"';
  }
  if (value.kind == JsonKind.Number) return "a number";
  if (value.kind == JsonKind.Bool) return value.bool ? "true" : "false";
  if (value.kind == JsonKind.Array) return "an array of " + decimal(value.items.length);
  if (value.kind == JsonKind.Object) return "an object";
  return "null";
}
