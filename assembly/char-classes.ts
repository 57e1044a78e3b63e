import { MAX_PATH_LENGTH } from "./config-limits";

// Which characters names and versions may hold, and the text helpers the validator needs.

/** Versions are at most this many characters. */
export const MAX_VERSION_LENGTH = 128;
/** Service names are at most this many characters. */
export const MAX_SERVICE_LENGTH = 253;

function isAlnum(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Whether `c` is one of the characters of `chars`. */
function among(c: i32, chars: string): bool {
  for (let i = 0; i < chars.length; i++) if (chars.charCodeAt(i) == c) return true;
  return false;
}

function isTokenChar(c: i32): bool {
  return isAlnum(c) || among(c, "!#$%&'*+-.^_`|~");
}

/** Header and cookie names are at most this many characters: what keeps every name, and the admission policy's cost, bounded. */
export const MAX_NAME_LENGTH = 256;

// RFC 9110 token characters; cookie names (RFC 6265) are tokens too.
export function isHeaderName(name: string): bool {
  if (name.length == 0 || name.length > MAX_NAME_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    if (!isTokenChar(name.charCodeAt(i))) return false;
  }
  return true;
}

export function isCookieName(name: string): bool {
  return isHeaderName(name);
}

/** Whether `text` is 1 to `max` visible ASCII characters, none of them one of `except`. */
function isVisibleAscii(text: string, max: i32, except: string): bool {
  if (text.length == 0 || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || among(c, except)) return false;
  }
  return true;
}

// A version travels as a header value and is matched exactly by the route, so it must
// survive every codec unchanged; a comma would read as a list.
export function isVersionName(name: string): bool {
  return isVisibleAscii(name, MAX_VERSION_LENGTH, ",");
}

// Names a service in counter names and logs: a stat name's tags end at ';' and '=', so neither.
export function isServiceName(name: string): bool {
  return isVisibleAscii(name, MAX_SERVICE_LENGTH, ";=");
}

// A JWT claim's name: one segment of the property path Envoy reads it by, whose segments are
// separated by NUL, so visible ASCII only.
export function isClaimName(name: string): bool {
  return isVisibleAscii(name, MAX_NAME_LENGTH, "");
}

// `*`, a DNS name, or `*.` and a DNS name: what Istio's hosts and the Gateway API's hostnames
// take. No port: the filter compares :authority without its port, as Istio matches hosts.
export function isHostPattern(host: string): bool {
  if (host == "*") return true;
  const name = host.startsWith("*.") ? host.substring(2, host.length) : host;
  if (name.length == 0 || name.length > 253) return false;
  let label = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c == 0x2e) {
      if (label == 0) return false;
      label = 0;
    } else if (isAlnum(c) || c == 0x2d) {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return label > 0;
}

// A prefix of :path, compared byte for byte as Envoy's route `prefix` is.
export function isPathPrefix(path: string): bool {
  return path.startsWith("/") && isVisibleAscii(path, MAX_PATH_LENGTH, "");
}

export function asciiLowerCase(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += charText(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  return out;
}

export function isBlank(text: string): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) return false;
  }
  return true;
}

/** `[a, b, c]`, as messages and log lines list names. */
export function listed(items: string[]): string {
  let out = "[";
  for (let i = 0; i < items.length; i++) out += (i > 0 ? ", " : "") + items[i];
  return out + "]";
}

/** The one-character string of `c` (every argument given: no wrapper for the default one is built). */
export function charText(c: i32): string {
  return String.fromCharCode(c, -1);
}
