import { JsonKind, JsonValue, parseJson } from "./json";

export enum Scope { All, Grpc }

/** The plugin configuration, checked, with the bytes the request path compares against. */
export class RouterConfig {
  header: string = "grpcsvc";
  versions: string[] = [];
  defaultIndex: i32 = 0;
  scope: Scope = Scope.All;
  /** UTF-8 forms, so a request is matched byte for byte without decoding. */
  headerBytes: ArrayBuffer = new ArrayBuffer(0);
  versionBytes: ArrayBuffer[] = [];

  describe(): string {
    return "header \"" + this.header + "\", versions [" + this.versions.join(", ") +
      "], default " + this.versions[this.defaultIndex] +
      ", scope " + (this.scope == Scope.Grpc ? "grpc" : "all");
  }
}

export class ConfigResult {
  config: RouterConfig | null = null;
  /** `field: what is wrong`, when config is null. */
  error: string = "";
}

const KNOWN_FIELDS = ["header", "versions", "default", "scope"];
const MAX_VERSION_LENGTH = 128;

export function parseConfig(bytes: ArrayBuffer): ConfigResult {
  const result = new ConfigResult();
  const text = String.UTF8.decode(bytes);
  if (isBlank(text)) {
    result.error = "configuration: is empty; it must be a JSON object with at least \"versions\"";
    return result;
  }
  const parsed = parseJson(text);
  const root = parsed.value;
  if (root === null) {
    result.error = "configuration: is not valid JSON: " + parsed.error;
    return result;
  }
  if (root.kind != JsonKind.Object) {
    result.error = "configuration: must be a JSON object";
    return result;
  }
  for (let i = 0; i < root.keys.length; i++) {
    if (!KNOWN_FIELDS.includes(root.keys[i])) {
      result.error = root.keys[i] + ": unknown field (known fields: " + KNOWN_FIELDS.join(", ") + ")";
      return result;
    }
  }
  const config = new RouterConfig();
  const error = readHeader(root.get("header"), config);
  if (error.length == 0) {
    const versionsError = readVersions(root.get("versions"), config);
    if (versionsError.length == 0) {
      const defaultError = readDefault(root.get("default"), config);
      result.error = defaultError.length == 0 ? readScope(root.get("scope"), config) : defaultError;
    } else {
      result.error = versionsError;
    }
  } else {
    result.error = error;
  }
  if (result.error.length == 0) result.config = config;
  return result;
}

function readHeader(value: JsonValue | null, config: RouterConfig): string {
  if (value !== null) {
    if (value.kind != JsonKind.String || !isHeaderName(value.text)) {
      return "header: must be a header name (letters, digits and !#$%&'*+-.^_`|~), got " + show(value);
    }
    config.header = asciiLowerCase(value.text);
  }
  config.headerBytes = String.UTF8.encode(config.header);
  return "";
}

function readVersions(value: JsonValue | null, config: RouterConfig): string {
  if (value === null) return "versions: is required: a non-empty array of version names";
  if (value.kind != JsonKind.Array || value.items.length == 0) {
    return "versions: must be a non-empty array of version names, got " + show(value);
  }
  for (let i = 0; i < value.items.length; i++) {
    const item = value.items[i];
    const field = "versions[" + i.toString() + "]";
    if (item.kind != JsonKind.String || !isVersionName(item.text)) {
      return field + ": must be 1 to " + MAX_VERSION_LENGTH.toString() +
        " visible ASCII characters without ',', got " + show(item);
    }
    if (config.versions.includes(item.text)) {
      return field + ": \"" + item.text + "\" is listed twice";
    }
    config.versions.push(item.text);
    config.versionBytes.push(String.UTF8.encode(item.text));
  }
  return "";
}

function readDefault(value: JsonValue | null, config: RouterConfig): string {
  if (value === null) return "";
  if (value.kind != JsonKind.String) return "default: must be a string, got " + show(value);
  const index = config.versions.indexOf(value.text);
  if (index < 0) {
    return "default: \"" + value.text + "\" is not one of versions [" + config.versions.join(", ") + "]";
  }
  config.defaultIndex = index;
  return "";
}

function readScope(value: JsonValue | null, config: RouterConfig): string {
  if (value === null) return "";
  if (value.kind == JsonKind.String && value.text == "all") return "";
  if (value.kind == JsonKind.String && value.text == "grpc") {
    config.scope = Scope.Grpc;
    return "";
  }
  return "scope: must be \"all\" or \"grpc\", got " + show(value);
}

function asciiLowerCase(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  return out;
}

function isBlank(text: string): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) return false;
  }
  return true;
}

// RFC 9110 token characters.
function isHeaderName(name: string): bool {
  if (name.length == 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) < 0) return false;
  }
  return true;
}

// A version travels as a header value and is matched exactly by the route, so it must
// survive every codec unchanged; a comma would read as a list.
function isVersionName(name: string): bool {
  if (name.length == 0 || name.length > MAX_VERSION_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c == 0x2c) return false;
  }
  return true;
}

function show(value: JsonValue): string {
  if (value.kind == JsonKind.String) return "\"" + value.text + "\"";
  if (value.kind == JsonKind.Number) return "a number";
  if (value.kind == JsonKind.Bool) return value.bool ? "true" : "false";
  if (value.kind == JsonKind.Array) return "an array of " + value.items.length.toString();
  if (value.kind == JsonKind.Object) return "an object";
  return "null";
}
