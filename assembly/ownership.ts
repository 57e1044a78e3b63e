// Whose a request is. Many releases share one gateway, and each one's filter runs on every
// request it serves: a service owns only the requests to its hosts (and, if it names any, its
// path prefixes), matched as Envoy picks a virtual host and a route: the most specific host
// pattern, then the longest path prefix among the services that claim it.
import { sameBytes } from "./bytes";
import { Router } from "./compiled-config";
import { NO_VALUE, Value, valueAt, valueData, valueSize } from "./request-scan";

/** No service owns the request: it passes untouched and uncounted. */
export const NOT_OWNED: i32 = -1;

/** The index of the service that owns a request with this :authority and :path, or NOT_OWNED. */
export function ownerOf(router: Router, authority: Value, path: Value): i32 {
  if (!router.scoped) return 0;
  const host = withoutPort(authority);
  const entry = router.hosts.find(valueData(host), valueSize(host));
  if (entry === null) return NOT_OWNED;
  let owner = NOT_OWNED;
  let longest = -1;
  for (let i = 0; i < entry.services.length; i++) {
    const service = unchecked(entry.services[i]);
    const matched = longestPrefix(unchecked(router.services[service]).pathBytes, path);
    if (matched > longest) {
      longest = matched;
      owner = service;
    }
  }
  return owner;
}

// `host`, `host:port`, `[v6]` or `[v6]:port`: the host as Istio and the Gateway API match it.
function withoutPort(authority: Value): Value {
  if (authority == NO_VALUE) return NO_VALUE;
  const data = valueData(authority);
  const size = valueSize(authority);
  const bracketed = size > 0 && load<u8>(data) == 0x5b;
  for (let i: u32 = 0; i < size; i++) {
    const c = load<u8>(data + i);
    if (bracketed ? c == 0x5d : c == 0x3a) return valueAt(data, bracketed ? i + 1 : i);
  }
  return authority;
}

/** The length of the longest prefix in `prefixes` that starts `path`; 0 with no prefixes, -1 when none does. */
function longestPrefix(prefixes: ArrayBuffer[], path: Value): i32 {
  if (prefixes.length == 0) return 0;
  const data = valueData(path);
  const size = <i32>valueSize(path);
  let longest = -1;
  for (let i = 0; i < prefixes.length; i++) {
    const prefix = unchecked(prefixes[i]);
    const length = prefix.byteLength;
    if (length <= size && length > longest && sameBytes(data, changetype<usize>(prefix), length)) longest = length;
  }
  return longest;
}
