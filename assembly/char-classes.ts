// Which characters names and versions may hold, and the text helpers the validator needs.

/** Versions are at most this many characters. */
export const MAX_VERSION_LENGTH = 128;

function isTokenChar(c: i32): bool {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return alnum || "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0;
}

// RFC 9110 token characters; cookie names (RFC 6265) are tokens too.
export function isHeaderName(name: string): bool {
  if (name.length == 0) return false;
  for (let i = 0; i < name.length; i++) {
    if (!isTokenChar(name.charCodeAt(i))) return false;
  }
  return true;
}

export function isCookieName(name: string): bool {
  return isHeaderName(name);
}

// A version travels as a header value and is matched exactly by the route, so it must
// survive every codec unchanged; a comma would read as a list.
export function isVersionName(name: string): bool {
  if (name.length == 0 || name.length > MAX_VERSION_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c == 0x2c) return false;
  }
  return true;
}

export function asciiLowerCase(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
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
