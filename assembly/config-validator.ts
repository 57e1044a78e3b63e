// The configuration's validator: every field checked, every mistake named by its path.
import { asciiLowerCase, isBlank, isCookieName, isHeaderName, isVersionName, MAX_VERSION_LENGTH } from "./char-classes";
import { Cohort, KeyRef, KeySource, MatchKind, RouterConfig, Scope, Weights } from "./config-model";
import { JsonKind, JsonValue, parseJson } from "./json";
import { planRequestScan } from "./scan-plan";

export class ConfigResult {
  config: RouterConfig | null = null;
  /** `field: what is wrong`, when config is null. */
  error: string = "";
}

const TOP_FIELDS = ["header", "versions", "default", "scope", "stickyBy", "cohorts", "canary", "decisionHeader", "responseHeader"];
const KEY_FIELDS = ["header", "cookie"];
const MATCH_FIELDS = ["header", "cookie", "exact", "prefix", "suffix", "contains"];
const MATCH_KINDS = ["exact", "prefix", "suffix", "contains"];
const COHORT_FIELDS = ["match", "version", "weights"];
const CANARY_FIELDS = ["weights"];
const MAX_WEIGHT: i64 = 1_000_000;

/** Checks one configuration field by field; the first mistake is reported as `field: what is wrong`. */
class ConfigValidator {
  error: string = "";
  config: RouterConfig = new RouterConfig();

  fail(field: string, message: string): bool {
    if (this.error.length == 0) this.error = field + ": " + message;
    return false;
  }

  knownFields(value: JsonValue, path: string, known: string[]): bool {
    for (let i = 0; i < value.keys.length; i++) {
      if (!known.includes(value.keys[i])) {
        return this.fail(join(path, value.keys[i]), "unknown field (known fields: " + known.join(", ") + ")");
      }
    }
    return true;
  }

  object(value: JsonValue, path: string, known: string[]): bool {
    if (value.kind != JsonKind.Object) return this.fail(path, "must be an object, got " + show(value));
    return this.knownFields(value, path, known);
  }

  headerName(value: JsonValue, field: string): string | null {
    if (value.kind != JsonKind.String || !isHeaderName(value.text)) {
      this.fail(field, "must be a header name (letters, digits and !#$%&'*+-.^_`|~), got " + show(value));
      return null;
    }
    return asciiLowerCase(value.text);
  }

  root(root: JsonValue): bool {
    if (root.kind != JsonKind.Object) return this.fail("configuration", "must be a JSON object");
    return (
      this.knownFields(root, "", TOP_FIELDS) &&
      this.header(root.get("header")) &&
      this.versions(root.get("versions")) &&
      this.defaultVersion(root.get("default")) &&
      this.scope(root.get("scope")) &&
      this.stickyBy(root.get("stickyBy")) &&
      this.cohorts(root.get("cohorts")) &&
      this.canary(root.get("canary")) &&
      this.decisionHeader(root.get("decisionHeader")) &&
      this.responseHeader(root.get("responseHeader"))
    );
  }

  header(value: JsonValue | null): bool {
    if (value !== null) {
      const name = this.headerName(value, "header");
      if (name === null) return false;
      this.config.header = name;
    }
    this.config.headerBytes = String.UTF8.encode(this.config.header);
    return true;
  }

  versions(value: JsonValue | null): bool {
    if (value === null) return this.fail("versions", "is required: a non-empty array of version names");
    if (value.kind != JsonKind.Array || value.items.length == 0) {
      return this.fail("versions", "must be a non-empty array of version names, got " + show(value));
    }
    for (let i = 0; i < value.items.length; i++) {
      const item = value.items[i];
      const field = "versions[" + i.toString() + "]";
      if (item.kind != JsonKind.String || !isVersionName(item.text)) {
        return this.fail(
          field,
          "must be 1 to " + MAX_VERSION_LENGTH.toString() + " visible ASCII characters without ',', got " + show(item),
        );
      }
      if (this.config.versions.includes(item.text)) return this.fail(field, '"' + item.text + '" is listed twice');
      this.config.versions.push(item.text);
      this.config.versionBytes.push(String.UTF8.encode(item.text));
    }
    return true;
  }

  versionIndex(value: JsonValue, field: string): i32 {
    if (value.kind != JsonKind.String) {
      this.fail(field, "must be a string, got " + show(value));
      return -1;
    }
    const index = this.config.versions.indexOf(value.text);
    if (index < 0) {
      this.fail(field, '"' + value.text + '" is not one of versions [' + this.config.versions.join(", ") + "]");
    }
    return index;
  }

  defaultVersion(value: JsonValue | null): bool {
    if (value === null) return true;
    const index = this.versionIndex(value, "default");
    if (index < 0) return false;
    this.config.defaultIndex = index;
    return true;
  }

  scope(value: JsonValue | null): bool {
    if (value === null) return true;
    if (value.kind == JsonKind.String && value.text == "all") return true;
    if (value.kind == JsonKind.String && value.text == "grpc") {
      this.config.scope = Scope.Grpc;
      return true;
    }
    return this.fail("scope", 'must be "all" or "grpc", got ' + show(value));
  }

  /** `{ "header": name }` or `{ "cookie": name }`; the caller has checked the object's other fields. */
  keyRef(value: JsonValue, path: string): KeyRef | null {
    const header = value.get("header");
    const cookie = value.get("cookie");
    if ((header === null) == (cookie === null)) {
      this.fail(path, 'must name exactly one of "header" or "cookie"');
      return null;
    }
    if (header !== null) {
      const name = this.headerName(header, join(path, "header"));
      if (name === null) return null;
      return new KeyRef(KeySource.Header, name);
    }
    const c = <JsonValue>cookie;
    if (c.kind != JsonKind.String || !isCookieName(c.text)) {
      this.fail(join(path, "cookie"), "must be a cookie name, got " + show(c));
      return null;
    }
    return new KeyRef(KeySource.Cookie, c.text);
  }

  stickyBy(value: JsonValue | null): bool {
    if (value === null) return true;
    if (!this.object(value, "stickyBy", KEY_FIELDS)) return false;
    this.config.stickyBy = this.keyRef(value, "stickyBy");
    return this.config.stickyBy !== null;
  }

  weights(value: JsonValue | null, path: string): Weights | null {
    if (value === null) {
      this.fail(path, "is required: an object of version: weight");
      return null;
    }
    if (value.kind != JsonKind.Object) {
      this.fail(path, "must be an object of version: weight, got " + show(value));
      return null;
    }
    const versions = this.config.versions;
    const own = new StaticArray<u32>(versions.length);
    for (let i = 0; i < value.keys.length; i++) {
      const field = join(path, value.keys[i]);
      const index = versions.indexOf(value.keys[i]);
      if (index < 0) {
        this.fail(field, "is not one of versions [" + versions.join(", ") + "]");
        return null;
      }
      const w = value.items[i];
      if (w.kind != JsonKind.Number || !w.integral || w.integer < 0 || w.integer > MAX_WEIGHT) {
        this.fail(field, "must be an integer from 0 to " + MAX_WEIGHT.toString() + ", got " + show(w));
        return null;
      }
      own[index] = <u32>w.integer;
    }
    const weights = new Weights(versions.length);
    let sum: u32 = 0;
    for (let i = 0; i < versions.length; i++) {
      sum += own[i];
      weights.cumulative[i] = sum;
    }
    if (sum == 0) {
      this.fail(path, "must give at least one version a weight above 0");
      return null;
    }
    weights.total = sum;
    return weights;
  }

  cohorts(value: JsonValue | null): bool {
    if (value === null) return true;
    if (value.kind != JsonKind.Array) return this.fail("cohorts", "must be an array, got " + show(value));
    for (let i = 0; i < value.items.length; i++) {
      const path = "cohorts[" + i.toString() + "]";
      const item = value.items[i];
      if (!this.object(item, path, COHORT_FIELDS)) return false;
      const match = item.get("match");
      if (match === null) return this.fail(join(path, "match"), "is required");
      const matchPath = join(path, "match");
      if (!this.object(match, matchPath, MATCH_FIELDS)) return false;
      const key = this.keyRef(match, matchPath);
      if (key === null) return false;
      let kind = -1;
      let text: JsonValue | null = null;
      for (let k = 0; k < MATCH_KINDS.length; k++) {
        const candidate = match.get(MATCH_KINDS[k]);
        if (candidate === null) continue;
        if (kind >= 0) return this.fail(matchPath, "must have exactly one of exact, prefix, suffix, contains");
        kind = k;
        text = candidate;
      }
      if (kind < 0 || text === null) return this.fail(matchPath, "must have exactly one of exact, prefix, suffix, contains");
      const textField = join(matchPath, MATCH_KINDS[kind]);
      if (text.kind != JsonKind.String || text.text.length == 0) {
        return this.fail(textField, "must be a non-empty string, got " + show(text));
      }
      const cohort = new Cohort(key, <MatchKind>kind, String.UTF8.encode(text.text));
      const version = item.get("version");
      const weights = item.get("weights");
      if ((version === null) == (weights === null)) return this.fail(path, 'must have exactly one of "version" or "weights"');
      if (version !== null) {
        cohort.version = this.versionIndex(version, join(path, "version"));
        if (cohort.version < 0) return false;
      } else {
        cohort.weights = this.weights(weights, join(path, "weights"));
        if (cohort.weights === null) return false;
      }
      this.config.cohorts.push(cohort);
    }
    return true;
  }

  canary(value: JsonValue | null): bool {
    if (value === null) return true;
    if (!this.object(value, "canary", CANARY_FIELDS)) return false;
    this.config.canary = this.weights(value.get("weights"), "canary.weights");
    return this.config.canary !== null;
  }

  decisionHeader(value: JsonValue | null): bool {
    if (value === null) return true;
    const name = this.headerName(value, "decisionHeader");
    if (name === null) return false;
    if (name == this.config.header) return this.fail("decisionHeader", "must differ from header (" + name + ")");
    this.config.decisionHeader = name;
    this.config.decisionHeaderBytes = String.UTF8.encode(name);
    return true;
  }

  // The served version's response header moved to the routes, which know the version
  // without the filter keeping anything per stream; a config that still asks for it is told where.
  responseHeader(value: JsonValue | null): bool {
    if (value === null) return true;
    return this.fail(
      "responseHeader",
      "is set on each version's route now (Envoy response_headers_to_add, the chart's responseHeader value)",
    );
  }
}

/** The configuration in `bytes` (JSON), checked, with its request-scan plan; or the first mistake. */
export function validateConfig(bytes: ArrayBuffer): ConfigResult {
  const result = new ConfigResult();
  const text = String.UTF8.decode(bytes);
  if (isBlank(text)) {
    result.error = 'configuration: is empty; it must be a JSON object with at least "versions"';
    return result;
  }
  const parsed = parseJson(text);
  const root = parsed.value;
  if (root === null) {
    result.error = "configuration: is not valid JSON: " + parsed.error;
    return result;
  }
  const validator = new ConfigValidator();
  if (validator.root(root)) {
    const config = validator.config;
    config.scanPlan = planRequestScan(config);
    result.config = config;
  } else {
    result.error = validator.error;
  }
  return result;
}

function join(path: string, field: string): string {
  return path.length == 0 ? field : path + "." + field;
}

function show(value: JsonValue): string {
  if (value.kind == JsonKind.String) {
    const text = value.text.length > 64 ? value.text.substring(0, 64) + "..." : value.text;
    return '"' + text + '"';
  }
  if (value.kind == JsonKind.Number) return "a number";
  if (value.kind == JsonKind.Bool) return value.bool ? "true" : "false";
  if (value.kind == JsonKind.Array) return "an array of " + value.items.length.toString();
  if (value.kind == JsonKind.Object) return "an object";
  return "null";
}
